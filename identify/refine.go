package identify

import (
	"math"
	"slices"
	"sync"
)

// refineExtra is how many candidates beyond K the float32 pass keeps.
const refineExtra = 8

// searchRefined searches float64 features in two steps: a float32 search
// (float32 GEMM, twice the speed of float64) keeps K+8 candidates per
// probe, and the first K of these (and any within 2δ of the K-th), the
// probe's mates and its best non-mate are rescored exactly in float64. A float32 score differs from the float64 one by at
// most δ = γ·‖p‖·max‖g‖ with γ = (d+3)u/(1−(d+3)u), u = 2⁻²⁴ (input
// rounding and a d-term float32 dot product, Higham's bound); so when the
// K-th rescored candidate and the best rescored non-mate exceed the
// lowest float32 candidate's score by more than δ, no entry left out can
// rank among them, and the result is that of a float64 search. A probe
// where that fails is rescored against every gallery row in float64.
// Every float64 score comes from one dot product function, so results do
// not depend on the BLAS backend, blocks or shards.
func (s *State) searchRefined(probes Matrix, shard Shard, o SearchOptions) error {
	d := probes.Cols
	g := shard.Features
	p32, pOK := toFloat32(probes.F64, o.Threads)
	g32, gOK := toFloat32(g.F64, o.Threads)
	if !pOK || !gOK { // not finite, or beyond float32's range: float64 throughout
		o.Float64GEMM = true
		return s.Search(probes, shard, o)
	}
	sub, err := NewState(s.probeIDs, Config{K: s.cfg.K + refineExtra, GallerySize: s.cfg.GallerySize})
	if err != nil {
		return err
	}
	pm, _ := Float32Matrix(p32, probes.Rows, d)
	gm, _ := Float32Matrix(g32, g.Rows, d)
	if err := sub.search(pm, Shard{Features: gm, IDs: shard.IDs, Offset: shard.Offset}, o); err != nil {
		return err
	}
	gmax := 0.0
	for j := range g.Rows {
		gmax = max(gmax, math.Sqrt(dot64(g.F64[j*d:(j+1)*d], g.F64[j*d:(j+1)*d])))
	}
	u := math.Ldexp(1, -24)
	gamma := float64(d+3) * u / (1 - float64(d+3)*u)
	mates := s.mateRows(shard)
	nonMated := make([]int64, o.Threads)
	var wg sync.WaitGroup
	for w := range o.Threads {
		wg.Go(func() {
			sc := &scanner{s: s, shard: shard, mates: mates, top: &topScores{}}
			var row []float64
			var all []Candidate
			var exact []Candidate
			for p := w * probes.Rows / o.Threads; p < (w+1)*probes.Rows/o.Threads; p++ {
				pr := probes.F64[p*d : (p+1)*d]
				cands := sub.Candidates(p)
				delta := gamma * math.Sqrt(dot64(pr, pr)) * gmax
				// Rescore the first K candidates and any further one whose
				// float32 score lies within 2δ of the K-th's; every entry not
				// rescored scores at most floor in float64.
				lim := len(cands)
				if lim > s.cfg.K {
					lim = s.cfg.K
					for lim < len(cands) && cands[lim].Score >= cands[s.cfg.K-1].Score-2*delta {
						lim++
					}
				}
				floor := math.Inf(-1)
				switch {
				case lim < len(cands):
					floor = cands[lim].Score + delta
				case len(cands) == sub.cfg.K: // entries beyond the list
					floor = cands[len(cands)-1].Score + delta
				}
				var pm []int32
				if mates != nil {
					pm = mates[p]
				}
				// the candidates' and the mates' exact scores, in one batch
				exact = exact[:0]
				for _, c := range cands[:lim] {
					exact = append(exact, Candidate{Index: c.Index})
				}
				for _, j := range pm {
					exact = append(exact, Candidate{Index: shard.Offset + int64(j)})
				}
				rescore(pr, g.F64, shard.Offset, exact)
				exactMates := exact[lim:]
				exact = exact[:lim]
				slices.SortFunc(exact, func(a, b Candidate) int {
					if a.Before(b) {
						return -1
					}
					if b.Before(a) {
						return 1
					}
					return 0
				})
				best := noCandidate
				for _, c := range exact {
					if !slices.Contains(pm, int32(c.Index-shard.Offset)) {
						best = c
						break
					}
				}
				sure := (len(exact) < s.cfg.K || exact[s.cfg.K-1].Score > floor) && best.Score > floor
				if math.IsInf(floor, -1) {
					sure = true // every row was rescored
				}
				if !sure {
					if row == nil {
						row, all = make([]float64, g.Rows), make([]Candidate, g.Rows)
					}
					for j := range row {
						all[j] = Candidate{Index: shard.Offset + int64(j)}
					}
					rescore(pr, g.F64, shard.Offset, all)
					for j, c := range all {
						row[j] = c.Score
					}
					scanRow(sc, p, row, shard.Offset, 0)
					continue
				}
				for _, c := range exact {
					if !s.insert(p, c) {
						break
					}
				}
				for _, c := range exactMates {
					if c.Before(s.mate[p]) {
						s.mate[p] = c
					}
					s.mateCount[p]++
				}
				if best.Before(s.nonMate[p]) {
					s.nonMate[p] = best
				}
				sc.nonMated += int64(g.Rows - len(pm))
			}
			nonMated[w] = sc.nonMated
		})
	}
	wg.Wait()
	for _, n := range nonMated {
		s.nonMated += n
	}
	s.gallerySeen += int64(g.Rows)
	return nil
}

// rescore sets the Score of every candidate in cs to its float64 score:
// the probe row pr against gallery row Index-offset of g (rows of
// len(pr)), four candidates at a time (a last group of fewer repeats its
// last row).
func rescore(pr, g []float64, offset int64, cs []Candidate) {
	d := len(pr)
	for i := 0; i < len(cs); i += 4 {
		var rows [4][]float64
		for c := range rows {
			k := int(cs[min(i+c, len(cs)-1)].Index - offset)
			rows[c] = g[k*d : (k+1)*d]
		}
		for c, v := range dot64x4(pr, &rows) {
			if i+c < len(cs) {
				cs[i+c].Score = v
			}
		}
	}
}
