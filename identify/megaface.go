package identify

import "fmt"

// DistractorPoint is rank-1 identification with a number of distractors
// added to the gallery.
type DistractorPoint struct {
	Distractors int64   `json:"distractors"`
	Rank1       float64 `json:"rank1"`
	Hits        int     `json:"hits"`
}

// MegaFaceCheckpoints are MegaFace's distractor counts, 10 to 1,000,000.
var MegaFaceCheckpoints = []int64{10, 100, 1000, 10000, 100000, 1000000}

// Rank1ByDistractors returns MegaFace-style rank-1 identification rates
// over the mated searches as the first Checkpoints[s] distractors join
// the gallery (the first point, with 0 distractors, is the gallery alone).
// A search is a hit when its best mate ranks first by the tie rule: above
// every non-mated gallery entry and at least as high as every distractor
// (distractors come after the gallery in index order).
func (s *State) Rank1ByDistractors() ([]DistractorPoint, error) {
	cps := s.cfg.Checkpoints
	if len(cps) > 0 && s.distractorsSeen < cps[len(cps)-1] {
		return nil, fmt.Errorf("identify: %d distractors searched, the last checkpoint needs %d", s.distractorsSeen, cps[len(cps)-1])
	}
	out := make([]DistractorPoint, len(cps)+1)
	mated := 0
	for p := range s.probeIDs {
		if s.mateCount[p] == 0 {
			continue
		}
		mated++
		m := s.mate[p]
		if !m.Before(s.nonMate[p]) {
			continue
		}
		for i := range out {
			if i == 0 || m.Score >= s.DistractorMax(p, i-1) {
				out[i].Hits++
			}
		}
	}
	if mated == 0 {
		return nil, fmt.Errorf("identify: no probe has a mate in the gallery")
	}
	for i := range out {
		if i > 0 {
			out[i].Distractors = cps[i-1]
		}
		out[i].Rank1 = float64(out[i].Hits) / float64(mated)
	}
	return out, nil
}
