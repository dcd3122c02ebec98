package identify

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// scanRowScalar is scanRow as it was before the vector kernels: a plain
// pass over the row for each of the candidates, the best non-mate, the
// distractor maxima and the non-mated top list. scanRow must leave exactly
// the state it leaves, on rows without NaN.
func scanRowScalar[T float32 | float64](sc *scanner, p int, row []T, base int64, j0 int) {
	s := sc.s
	n := len(row)
	negInf := T(math.Inf(-1))
	k := s.cfg.K
	for j, v := range row {
		thr := T(math.Inf(-1))
		if int(s.n[p]) == k {
			thr = T(s.cand[p*k+k-1].Score)
		}
		if v >= thr {
			s.insert(p, Candidate{Index: base + int64(j), Score: float64(v)})
		}
	}
	masked := 0
	if sc.mates != nil {
		for _, j := range sc.mates[p] {
			if int(j) < j0 || int(j) >= j0+n {
				continue
			}
			c := Candidate{Index: sc.shard.Offset + int64(j), Score: float64(row[int(j)-j0])}
			if c.Before(s.mate[p]) {
				s.mate[p] = c
			}
			s.mateCount[p]++
			row[int(j)-j0] = negInf
			masked++
		}
	}
	sc.nonMated += int64(n - masked)
	if sc.shard.Offset >= s.cfg.GallerySize {
		cps := s.cfg.Checkpoints
		ns := len(cps) + 1
		for j, v := range row {
			d := base - s.cfg.GallerySize + int64(j)
			si := 0
			for si < len(cps) && d >= cps[si] {
				si++
			}
			s.segMax[p*ns+si] = max(s.segMax[p*ns+si], float64(v))
		}
	} else if masked < n {
		bi, bv := 0, row[0]
		for j, v := range row {
			if v > bv {
				bi, bv = j, v
			}
		}
		c := Candidate{Index: base + int64(bi), Score: float64(bv)}
		if !math.IsInf(c.Score, -1) && c.Before(s.nonMate[p]) {
			s.nonMate[p] = c
		}
	}
	for _, v := range row {
		if sc.top.m > 0 && float64(v) > sc.top.floor() && v != negInf {
			sc.top.push(float64(v))
		}
	}
}

func TestScanRowMatchesScalar(t *testing.T) {
	testScanRow[float32](t)
	testScanRow[float64](t)
}

// testScanRow feeds the same random rows (ties, zeros of both signs, ±Inf;
// gallery blocks with mates, distractor blocks across checkpoints) to
// scanRow and scanRowScalar and compares the states bit for bit.
func testScanRow[T float32 | float64](t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const probes, gallery, distractors = 4, 300, 400
	for trial := range 60 {
		cfg := Config{K: []int{1, 3, 10}[trial%3], GallerySize: gallery, NonMatedTop: []int{0, 7}[trial%2]}
		if trial%4 < 2 {
			cfg.Checkpoints = []int64{10, 100, 250}
		}
		pids := []int64{0, 1, 2, 3}
		got, _ := NewState(pids, cfg)
		want, _ := NewState(pids, cfg)
		mates := make([][]int32, probes)
		for p := range mates {
			for range r.IntN(4) {
				mates[p] = append(mates[p], int32(r.IntN(gallery)))
			}
			slices.Sort(mates[p])
			mates[p] = slices.Compact(mates[p])
		}
		shards := []struct {
			offset int64
			rows   int
			mates  [][]int32
		}{{0, gallery, mates}, {gallery, distractors, nil}}
		if trial%5 == 0 {
			shards[0], shards[1] = shards[1], shards[0]
		}
		for _, sh := range shards {
			shard := Shard{Offset: sh.offset}
			gsc := &scanner{s: got, shard: shard, mates: sh.mates, top: &got.top}
			wsc := &scanner{s: want, shard: shard, mates: sh.mates, top: &want.top}
			// blocks of random lengths in random order (shards and blocks
			// may come in any order)
			var blocks [][2]int
			for j0 := 0; j0 < sh.rows; {
				j1 := min(sh.rows, j0+1+r.IntN(90))
				blocks = append(blocks, [2]int{j0, j1})
				j0 = j1
			}
			r.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
			for _, b := range blocks {
				for p := range probes {
					row := make([]T, b[1]-b[0])
					for i := range row {
						row[i] = T(scanValue(r, false))
						if trial%3 == 1 && row[i] != 0 { // non-positive rows: zero maxima
							row[i] = -T(math.Abs(float64(row[i])))
						}
					}
					row2 := slices.Clone(row)
					scanRow(gsc, p, row, sh.offset+int64(b[0]), b[0])
					scanRowScalar(wsc, p, row2, sh.offset+int64(b[0]), b[0])
				}
			}
			got.nonMated += gsc.nonMated
			want.nonMated += wsc.nonMated
		}
		compareStates(t, trial, got, want)
	}
}

func compareStates(t *testing.T, trial int, got, want *State) {
	t.Helper()
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	sameC := func(a, b Candidate) bool { return a.Index == b.Index && same(a.Score, b.Score) }
	for p := range got.NumProbes() {
		if !slices.EqualFunc(got.Candidates(p), want.Candidates(p), sameC) {
			t.Fatalf("trial %d probe %d: candidates %v, want %v", trial, p, got.Candidates(p), want.Candidates(p))
		}
		if !sameC(got.mate[p], want.mate[p]) || got.mateCount[p] != want.mateCount[p] {
			t.Fatalf("trial %d probe %d: mate %v ×%d, want %v ×%d", trial, p, got.mate[p], got.mateCount[p], want.mate[p], want.mateCount[p])
		}
		if !sameC(got.nonMate[p], want.nonMate[p]) {
			t.Fatalf("trial %d probe %d: non-mate %v, want %v", trial, p, got.nonMate[p], want.nonMate[p])
		}
	}
	if !slices.EqualFunc(got.segMax, want.segMax, same) {
		t.Fatalf("trial %d: distractor maxima %v, want %v", trial, got.segMax, want.segMax)
	}
	gt, gn := got.NonMatedTop()
	wt, wn := want.NonMatedTop()
	if !slices.EqualFunc(gt, wt, same) || gn != wn {
		t.Fatalf("trial %d: non-mated top %v of %d, want %v of %d", trial, gt, gn, wt, wn)
	}
}

// TestScanRowNaN: a NaN score (a product overflowing to +Inf and -Inf in
// one sum; features are checked finite) is never a candidate, a maximum or
// a non-mated top score, wherever it lies in the row.
func TestScanRowNaN(t *testing.T) {
	nan := math.NaN()
	s, _ := NewState([]int64{1}, Config{K: 2, GallerySize: 12, Checkpoints: []int64{3}, NonMatedTop: 5})
	sc := &scanner{s: s, top: &s.top}
	gallery := []float64{nan, 0.5, nan, 0.25, nan, nan, nan, nan, nan, nan, nan, nan}
	scanRow(sc, 0, gallery, 0, 0)
	sc.shard.Offset = 12
	scanRow(sc, 0, []float64{nan, -1, nan, nan, -2}, 12, 0) // distractors 0…4
	want := []Candidate{{1, 0.5}, {3, 0.25}}
	if got := s.Candidates(0); !slices.Equal(got, want) {
		t.Errorf("candidates %v, want %v", got, want)
	}
	if got := s.nonMate[0]; got != want[0] {
		t.Errorf("best non-mate %v, want %v", got, want[0])
	}
	if got := s.segMax; !slices.Equal(got, []float64{-1, -2}) {
		t.Errorf("distractor maxima %v, want [-1 -2]", got)
	}
	if got, _ := s.NonMatedTop(); !slices.Equal(got, []float64{0.5, 0.25, -1, -2}) {
		t.Errorf("non-mated top %v, want [0.5 0.25 -1 -2]", got)
	}
}
