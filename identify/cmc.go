package identify

import "fmt"

// RankRate is the identification rate at a rank: the fraction of mated
// searches whose best mate ranks at Rank or better.
type RankRate struct {
	Rank int     `json:"rank"`
	Rate float64 `json:"rate"`
	Hits int     `json:"hits"`
}

// CMC returns the cumulative match characteristic at ranks (each between 1
// and K, unless K covers every entry searched) over the mated searches
// (probes with at least one mate in the gallery). Probes without mates are
// skipped; ClosedSet reports them.
func (s *State) CMC(ranks []int) ([]RankRate, int, error) {
	total := s.gallerySeen + s.distractorsSeen
	for _, r := range ranks {
		if r < 1 {
			return nil, 0, fmt.Errorf("identify: rank %d; ranks start at 1", r)
		}
		if r > s.cfg.K && int64(s.cfg.K) < total {
			return nil, 0, fmt.Errorf("identify: rank %d is beyond the %d candidates kept per probe (raise K)", r, s.cfg.K)
		}
	}
	mated := 0
	hist := make([]int, s.cfg.K+1) // hist[r] = searches with mate at rank r
	for p := range s.probeIDs {
		if s.mateCount[p] == 0 {
			continue
		}
		mated++
		hist[s.MateRank(p)]++
	}
	if mated == 0 {
		return nil, 0, fmt.Errorf("identify: no probe has a mate in the gallery")
	}
	out := make([]RankRate, len(ranks))
	for i, r := range ranks {
		hits := 0
		for rr := 1; rr <= min(r, s.cfg.K); rr++ {
			hits += hist[rr]
		}
		out[i] = RankRate{Rank: r, Rate: float64(hits) / float64(mated), Hits: hits}
	}
	return out, mated, nil
}

// ClosedSet returns an error naming the first probe whose identity has no
// entry in the gallery (closed-set identification needs a mate for every
// probe).
func (s *State) ClosedSet() error {
	for p, id := range s.probeIDs {
		if s.mateCount[p] == 0 {
			return fmt.Errorf("identify: closed-set search: probe %d (identity %d) has no mate in the gallery", p, id)
		}
	}
	return nil
}

// uniqueMates returns an error naming the first probe with more than one
// mate (max 1) or, when exactlyOne, with none.
func (s *State) uniqueMates(rule string, exactlyOne bool) error {
	for p, id := range s.probeIDs {
		c := s.mateCount[p]
		if c > 1 || (exactlyOne && c != 1) {
			want := "at most one"
			if exactlyOne {
				want = "exactly one"
			}
			return fmt.Errorf("identify: rule %s needs %s gallery entry per probe identity; probe %d (identity %d) has %d", rule, want, p, id, c)
		}
	}
	return nil
}
