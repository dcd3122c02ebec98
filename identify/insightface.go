package identify

import (
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/evalkit/evalkit/internal/pyfmt"
)

// IJB1NFARs are the FARs of insightface's ijb_1n.py evaluation().
var IJB1NFARs = []float64{0.01, 0.1}

// IJB1NPoint is one line of ijb_1n.py's "TPIR@FAR".
type IJB1NPoint struct {
	FAR       float64 `json:"far"`
	Recall    float64 `json:"recall"`
	Threshold float64 `json:"threshold"`
	// Rank is ⌈queries·FAR⌉: the threshold is the Rank-th largest of all
	// non-mated scores.
	Rank int `json:"rank"`
}

// IJB1NResult is insightface's ijb_1n.py evaluation(): closed-set top-1,
// top-5 and top-10 over all queries, and its "TPIR@FAR".
type IJB1NResult struct {
	Queries, Gallery, Dim int
	Top1, Top5, Top10     int
	// NegPairs is queries·gallery − queries, as the script prints it.
	NegPairs int64
	// NonMated is the number of non-mated scores; Kept how many of the
	// largest the script keeps (⌈queries·max FAR⌉).
	NonMated int64
	Kept     int
	Points   []IJB1NPoint
}

// IJB1N reproduces insightface's ijb_1n.py evaluation() on a complete
// state (Config.K ≥ 10, Config.NonMatedTop ≥ ⌈queries·max(fars)⌉): every
// probe must have exactly one mate (gen_mask). Its quirks, kept:
//
//   - the threshold for a FAR is the ⌈queries·FAR⌉-th largest of all
//     queries·(gallery−1) non-mated scores, so "FAR" is normalised by the
//     number of queries, not of non-mated scores or searches;
//   - recall counts mates scoring strictly above it, over all queries,
//     whatever their rank.
//
// dim is the feature dimension the script prints.
func (s *State) IJB1N(fars []float64, dim int) (*IJB1NResult, error) {
	if err := s.uniqueMates("ijb_1n", true); err != nil {
		return nil, err
	}
	if s.cfg.K < 10 && int64(s.cfg.K) < s.gallerySeen {
		return nil, fmt.Errorf("identify: rule ijb_1n needs K ≥ 10 candidates, have %d", s.cfg.K)
	}
	q := len(s.probeIDs)
	r := &IJB1NResult{Queries: q, Gallery: int(s.gallerySeen + s.distractorsSeen), Dim: dim}
	for p := range q {
		countTop(s.MateRank(p), &r.Top1, &r.Top5, &r.Top10)
	}
	r.NegPairs = int64(q)*int64(r.Gallery) - int64(q)
	top, nonMated := s.NonMatedTop()
	r.NonMated = nonMated
	need := 0
	ranks := make([]int, len(fars))
	for i, f := range fars {
		ranks[i] = int(math.Ceil(float64(q) * f))
		need = max(need, ranks[i])
	}
	if need > s.cfg.NonMatedTop && int64(s.cfg.NonMatedTop) < nonMated {
		return nil, fmt.Errorf("identify: rule ijb_1n needs the %d largest non-mated scores, the state keeps %d (Config.NonMatedTop)", need, s.cfg.NonMatedTop)
	}
	r.Kept = min(need, len(top))
	top = top[:r.Kept]
	for i, f := range fars {
		idx := ranks[i] - 1
		if idx < 0 {
			idx += len(top) // Python's neg_sims[-1]
		}
		if idx < 0 || idx >= len(top) {
			return nil, fmt.Errorf("identify: rule ijb_1n: FAR %v asks for non-mated score %d of %d", f, ranks[i], len(top))
		}
		th := top[idx]
		hits := 0
		for p := range q {
			if s.mate[p].Score > th {
				hits++
			}
		}
		r.Points = append(r.Points, IJB1NPoint{FAR: f, Recall: float64(hits) / float64(q), Threshold: th, Rank: ranks[i]})
	}
	return r, nil
}

// WriteLines prints what ijb_1n.py's evaluation() prints, digit for digit.
func (r *IJB1NResult) WriteLines(w io.Writer) error {
	q := float64(r.Queries)
	_, err := fmt.Fprintf(w, "(%d, %d)\n(%d, %d)\nsimilarity shape (%d, %d)\n(%d, %d)\n"+
		"top1 = %s\ntop5 = %s\ntop10 = %s\n%d\n(%d,)\nneg_sims num = %d\nafter sorting , neg_sims num = %d\n",
		r.Queries, r.Dim, r.Gallery, r.Dim, r.Queries, r.Gallery, r.Queries, r.Gallery,
		pyfmt.Repr(float64(r.Top1)/q), pyfmt.Repr(float64(r.Top5)/q), pyfmt.Repr(float64(r.Top10)/q),
		r.NegPairs, r.Queries, r.NonMated, r.Kept)
	if err != nil {
		return err
	}
	for _, p := range r.Points {
		if _, err := fmt.Fprintf(w, "far = %s pr = %s th = %s\n", pyfmt.Fixed(p.FAR, 10), pyfmt.Fixed(p.Recall, 10), pyfmt.Fixed(p.Threshold, 10)); err != nil {
			return err
		}
	}
	return nil
}

// IJBEvalsResult is insightface's ijb_evals.py evaluation_1N() on one
// gallery.
type IJBEvalsResult struct {
	Queries, Gallery, Dim int
	// Mated are the probes whose identity is in the gallery, NonMated the
	// others (the "non-gallery" searches).
	Mated, NonMated   int
	Top1, Top5, Top10 int
	FARs              []float64
	Thresholds        []float64
	TPIRs             []float64
}

// IJBEvalsFARs returns ijb_evals.py's run_model_test_1N FARs (npoints =
// 100): 10**x for x in np.arange(-4, 0, 0.04), then 1, bit for bit as
// numpy and the C library's pow compute them; and the indices of the five
// it prints (1e-4, 1e-3, 1e-2, 0.1, 1).
func IJBEvalsFARs() (fars []float64, shown []int) {
	for _, b := range ijbEvalsFARBits {
		fars = append(fars, math.Float64frombits(b))
	}
	for i := 0; i < len(fars); i += 25 {
		shown = append(shown, i)
	}
	return fars, shown
}

// IJBEvals reproduces insightface's ijb_evals.py evaluation_1N() on a
// complete state (K ≥ 10): probes whose identity has one gallery entry are
// mated searches, the others non-gallery searches; a probe identity with
// several gallery entries is an error (the script fails on the ragged
// arrays). Its rules, kept:
//
//   - top-k counts over the mated searches;
//   - a mated search counts at a FAR when its mate scores strictly above
//     every other gallery entry and strictly above the threshold;
//   - the threshold is element max(int(N·FAR) − 1, 0) of the N non-gallery
//     searches' top scores sorted descending (int truncates, so the count
//     of false alarms allowed is rounded down and then one less is used,
//     except at 0).
func (s *State) IJBEvals(fars []float64, dim int) (*IJBEvalsResult, error) {
	if err := s.uniqueMates("ijb_evals", false); err != nil {
		return nil, err
	}
	if s.cfg.K < 10 && int64(s.cfg.K) < s.gallerySeen {
		return nil, fmt.Errorf("identify: rule ijb_evals needs K ≥ 10 candidates, have %d", s.cfg.K)
	}
	r := &IJBEvalsResult{Queries: len(s.probeIDs), Gallery: int(s.gallerySeen + s.distractorsSeen), Dim: dim}
	var ng []float64
	for p := range s.probeIDs {
		if s.mateCount[p] == 0 {
			ng = append(ng, s.cand[p*s.cfg.K].Score)
			continue
		}
		r.Mated++
		countTop(s.MateRank(p), &r.Top1, &r.Top5, &r.Top10)
	}
	r.NonMated = len(ng)
	if r.Mated == 0 {
		return nil, fmt.Errorf("identify: rule ijb_evals: no probe has a mate in the gallery")
	}
	if r.NonMated == 0 {
		return nil, fmt.Errorf("identify: rule ijb_evals: every probe has a mate; its thresholds need non-gallery probes")
	}
	sortDesc(ng)
	for _, f := range fars {
		idx := max(int(float64(len(ng))*f)-1, 0)
		if idx >= len(ng) {
			return nil, fmt.Errorf("identify: rule ijb_evals: FAR %v indexes non-gallery score %d of %d", f, idx, len(ng))
		}
		th := ng[idx]
		hits := 0
		for p := range s.probeIDs {
			if s.mateCount[p] == 0 {
				continue
			}
			m := s.mate[p].Score
			if m > s.NonMateMax(p).Score && m > th {
				hits++
			}
		}
		r.FARs = append(r.FARs, f)
		r.Thresholds = append(r.Thresholds, th)
		r.TPIRs = append(r.TPIRs, float64(hits)/float64(r.Mated))
	}
	return r, nil
}

// WriteLines prints what ijb_evals.py's evaluation_1N() prints.
func (r *IJBEvalsResult) WriteLines(w io.Writer) error {
	m := float64(r.Mated)
	_, err := fmt.Fprintf(w, "query_feats: (%d, %d), gallery_feats: (%d, %d)\npos_sims: (%d,), neg_sims: (%d, %d), non_gallery_sims: (%d, %d)\ntop1: %s, top5: %s, top10: %s\n",
		r.Queries, r.Dim, r.Gallery, r.Dim, r.Mated, r.Mated, r.Gallery-1, r.NonMated, r.Gallery,
		pyfmt.F(float64(r.Top1)/m), pyfmt.F(float64(r.Top5)/m), pyfmt.F(float64(r.Top10)/m))
	return err
}

// sortDesc sorts v in descending order.
func sortDesc(v []float64) {
	slices.Sort(v)
	slices.Reverse(v)
}

// countTop adds a search whose mate ranks at rank (0: beyond K) to the
// top-1, top-5 and top-10 counts.
func countTop(rank int, top1, top5, top10 *int) {
	if rank < 1 {
		return
	}
	if rank <= 1 {
		*top1++
	}
	if rank <= 5 {
		*top5++
	}
	if rank <= 10 {
		*top10++
	}
}
