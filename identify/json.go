package identify

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// stateJSON is the serialised State. Scores are JSON numbers that
// round-trip exactly; a missing score (-Inf) is null.
type stateJSON struct {
	K               int          `json:"k"`
	GallerySize     int64        `json:"gallery_size"`
	Checkpoints     []int64      `json:"checkpoints,omitempty"`
	NonMatedTopN    int          `json:"non_mated_top_n,omitempty"`
	ProbeIDs        []int64      `json:"probe_ids"`
	Candidates      [][]jsonCand `json:"candidates"`
	Mate            []*jsonCand  `json:"mate"`
	MateCount       []int32      `json:"mate_count"`
	NonMate         []*jsonCand  `json:"non_mate"`
	DistractorMax   [][]*float64 `json:"distractor_max,omitempty"`
	NonMatedTop     []float64    `json:"non_mated_top,omitempty"`
	NonMated        int64        `json:"non_mated"`
	GallerySeen     int64        `json:"gallery_searched"`
	DistractorsSeen int64        `json:"distractors_searched"`
	Dim             int          `json:"dim,omitempty"`
}

// jsonCand is a candidate as [index, score].
type jsonCand [2]float64

func toJSONCand(c Candidate) *jsonCand {
	if c.Index < 0 {
		return nil
	}
	return &jsonCand{float64(c.Index), c.Score}
}

func fromJSONCand(j *jsonCand) (Candidate, error) {
	if j == nil {
		return noCandidate, nil
	}
	idx := j[0]
	if idx < 0 || idx != math.Trunc(idx) || idx > 1<<53 || math.IsNaN(j[1]) || math.IsInf(j[1], 0) {
		return Candidate{}, fmt.Errorf("identify: candidate %v: want [index ≥ 0, finite score]", *j)
	}
	return Candidate{Index: int64(idx), Score: j[1]}, nil
}

// MarshalJSON writes the state: configuration, per-probe candidates,
// mates and maxima, and the non-mated top scores.
func (s *State) MarshalJSON() ([]byte, error) {
	ns := len(s.cfg.Checkpoints) + 1
	j := stateJSON{
		K: s.cfg.K, GallerySize: s.cfg.GallerySize, Checkpoints: s.cfg.Checkpoints, NonMatedTopN: s.cfg.NonMatedTop,
		ProbeIDs: s.probeIDs, MateCount: s.mateCount, NonMated: s.nonMated,
		GallerySeen: s.gallerySeen, DistractorsSeen: s.distractorsSeen, Dim: s.dim,
	}
	j.NonMatedTop, _ = s.NonMatedTop()
	for p := range s.probeIDs {
		cs := make([]jsonCand, 0, s.n[p])
		for _, c := range s.Candidates(p) {
			cs = append(cs, *toJSONCand(c))
		}
		j.Candidates = append(j.Candidates, cs)
		j.Mate = append(j.Mate, toJSONCand(s.mate[p]))
		j.NonMate = append(j.NonMate, toJSONCand(s.nonMate[p]))
		if s.distractorsSeen > 0 {
			row := make([]*float64, ns)
			for i, v := range s.segMax[p*ns : (p+1)*ns] {
				if !math.IsInf(v, -1) {
					row[i] = &v
				}
			}
			j.DistractorMax = append(j.DistractorMax, row)
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON restores a state written by MarshalJSON, checking its
// consistency.
func (s *State) UnmarshalJSON(b []byte) error {
	var j stateJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("identify: state: %w", err)
	}
	cfg := Config{K: j.K, GallerySize: j.GallerySize, Checkpoints: j.Checkpoints, NonMatedTop: j.NonMatedTopN}
	st, err := NewState(j.ProbeIDs, cfg)
	if err != nil {
		return err
	}
	p := len(j.ProbeIDs)
	if len(j.Candidates) != p || len(j.Mate) != p || len(j.MateCount) != p || len(j.NonMate) != p ||
		(j.DistractorMax != nil && len(j.DistractorMax) != p) {
		return fmt.Errorf("identify: state has %d probes but lists of other lengths", p)
	}
	if len(j.NonMatedTop) > cfg.NonMatedTop || j.NonMated < 0 || j.GallerySeen < 0 || j.DistractorsSeen < 0 || j.Dim < 0 {
		return fmt.Errorf("identify: state counts are inconsistent")
	}
	ns := len(cfg.Checkpoints) + 1
	for i := range p {
		if len(j.Candidates[i]) > cfg.K {
			return fmt.Errorf("identify: probe %d has %d candidates, more than K = %d", i, len(j.Candidates[i]), cfg.K)
		}
		for ci := range j.Candidates[i] {
			c, err := fromJSONCand(&j.Candidates[i][ci])
			if err != nil {
				return err
			}
			if ci > 0 && !st.cand[i*cfg.K+ci-1].Before(c) {
				return fmt.Errorf("identify: probe %d's candidates are not in rank order", i)
			}
			st.cand[i*cfg.K+ci] = c
		}
		st.n[i] = int32(len(j.Candidates[i]))
		if st.mate[i], err = fromJSONCand(j.Mate[i]); err != nil {
			return err
		}
		if st.nonMate[i], err = fromJSONCand(j.NonMate[i]); err != nil {
			return err
		}
		if j.MateCount[i] < 0 || (j.MateCount[i] == 0) != (j.Mate[i] == nil) {
			return fmt.Errorf("identify: probe %d: mate count %d and mate %v disagree", i, j.MateCount[i], j.Mate[i])
		}
		st.mateCount[i] = j.MateCount[i]
		if j.DistractorMax != nil {
			if len(j.DistractorMax[i]) != ns {
				return fmt.Errorf("identify: probe %d has %d distractor maxima, want %d", i, len(j.DistractorMax[i]), ns)
			}
			for k, v := range j.DistractorMax[i] {
				if v != nil {
					if math.IsNaN(*v) || math.IsInf(*v, 0) {
						return fmt.Errorf("identify: probe %d: distractor maximum %v is not finite", i, *v)
					}
					st.segMax[i*ns+k] = *v
				}
			}
		}
	}
	for _, v := range j.NonMatedTop {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("identify: non-mated score %v is not finite", v)
		}
		st.top.push(v)
	}
	st.nonMated, st.gallerySeen, st.distractorsSeen, st.dim = j.NonMated, j.GallerySeen, j.DistractorsSeen, j.Dim
	st.probeIDs = slices.Clone(j.ProbeIDs)
	*s = *st
	return nil
}
