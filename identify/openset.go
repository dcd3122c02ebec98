package identify

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/evalkit/evalkit/internal/jsonnum"
)

// OpenSetPoint is open-set identification at one false-positive
// identification rate, by NIST's definitions (NIST IR 8271, FRVT 1:N):
//
//   - a non-mated search (a probe without mate in the gallery) is a false
//     positive at threshold T when any candidate scores above T;
//   - a mated search is a hit when its mate ranks within Rank and scores
//     above T; FNIR = 1 − TPIR is the fraction of mated searches that miss.
//
// Threshold is the lowest threshold whose FPIR does not exceed the target:
// with the non-mated searches' top scores m₁ ≥ m₂ ≥ … ≥ m_N and c =
// ⌊target·N⌋ false positives allowed, T = m_{c+1} (−Inf when c = N), and a
// score counts only when strictly above T, so ties at T never raise FPIR
// above the target.
type OpenSetPoint struct {
	TargetFPIR float64 `json:"target_fpir"`
	Threshold  float64 `json:"threshold"`
	FPIR       float64 `json:"fpir"`
	TPIR       float64 `json:"tpir"`
	FNIR       float64 `json:"fnir"`
}

// MarshalJSON writes the point with its threshold by internal/jsonnum's
// rule: "-Infinity" when every score passes.
func (p OpenSetPoint) MarshalJSON() ([]byte, error) {
	type plain OpenSetPoint
	return json.Marshal(struct {
		plain
		Threshold jsonnum.Float `json:"threshold"`
	}{plain(p), jsonnum.Float(p.Threshold)})
}

// OpenSet is the NIST open-set result: the points at the requested FPIRs
// and the full DET curve (FNIR against FPIR over every threshold).
type OpenSet struct {
	Rank      int            `json:"rank"`
	Mated     int            `json:"mated"`
	NonMated  int            `json:"non_mated"`
	Points    []OpenSetPoint `json:"points"`
	CurveFPIR []float64      `json:"-"`
	CurveFNIR []float64      `json:"-"`
}

// OpenSet computes TPIR and FNIR at each FPIR in fpirs (each in [0, 1]),
// a mated search counting as a hit when its mate ranks within rank (≤ K).
func (s *State) OpenSet(fpirs []float64, rank int) (*OpenSet, error) {
	if rank < 1 || rank > s.cfg.K {
		return nil, fmt.Errorf("identify: open-set rank %d must lie in 1…K (%d)", rank, s.cfg.K)
	}
	var nonMated, hits []float64
	mated := 0
	for p := range s.probeIDs {
		if s.mateCount[p] == 0 {
			if s.n[p] > 0 {
				nonMated = append(nonMated, s.cand[p*s.cfg.K].Score)
			}
			continue
		}
		mated++
		if r := s.MateRank(p); r >= 1 && r <= rank {
			hits = append(hits, s.mate[p].Score)
		}
	}
	if len(nonMated) == 0 {
		return nil, fmt.Errorf("identify: open-set rates need non-mated searches (probes whose identity is not in the gallery); there are none")
	}
	if mated == 0 {
		return nil, fmt.Errorf("identify: open-set rates need mated searches; no probe has a mate in the gallery")
	}
	sortDesc(nonMated)
	sortDesc(hits)
	n := len(nonMated)
	above := func(sorted []float64, t float64) int { // count > t in a descending slice
		i, _ := slices.BinarySearchFunc(sorted, t, func(v, t float64) int {
			if v > t {
				return -1
			}
			return 1
		})
		return i
	}
	res := &OpenSet{Rank: rank, Mated: mated, NonMated: n}
	for _, f := range fpirs {
		if !(f >= 0 && f <= 1) {
			return nil, fmt.Errorf("identify: FPIR %v must lie in [0, 1]", f)
		}
		c := int(math.Floor(f * float64(n)))
		t := math.Inf(-1)
		if c < n {
			t = nonMated[c]
		}
		tp := float64(above(hits, t)) / float64(mated)
		res.Points = append(res.Points, OpenSetPoint{TargetFPIR: f, Threshold: t, FPIR: float64(above(nonMated, t)) / float64(n), TPIR: tp, FNIR: 1 - tp})
	}
	// DET: every distinct non-mated top score as a threshold, then -Inf
	for i := 0; i <= n; i++ {
		if i < n && i > 0 && nonMated[i] == nonMated[i-1] {
			continue
		}
		t := math.Inf(-1)
		if i < n {
			t = nonMated[i]
		}
		res.CurveFPIR = append(res.CurveFPIR, float64(above(nonMated, t))/float64(n))
		res.CurveFNIR = append(res.CurveFNIR, 1-float64(above(hits, t))/float64(mated))
	}
	return res, nil
}
