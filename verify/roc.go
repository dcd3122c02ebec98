package verify

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/evalkit/evalkit/internal/jsonnum"
)

// ROC is a receiver operating characteristic over scores where higher means
// "genuine" (same identity), computed as scikit-learn's roc_curve does:
// one point per distinct score, thresholds descending, ties grouped (every
// score equal to the threshold is accepted), collinear interior points
// dropped (drop_intermediate) unless kept on request, and a first point
// (0, 0) with threshold +Inf (scikit-learn ≥ 1.3; 1.2 used max+1).
type ROC struct {
	// FPR, TPR and Thresholds are the curve, FPR and TPR non-decreasing.
	// Point i accepts every score >= Thresholds[i].
	FPR, TPR, Thresholds []float64
	// Positives and Negatives count the genuine and impostor scores.
	Positives, Negatives int64
}

type rocJSON struct {
	FPR        jsonnum.Floats `json:"fpr"`
	TPR        jsonnum.Floats `json:"tpr"`
	Thresholds jsonnum.Floats `json:"thresholds"`
	Positives  int64          `json:"positives"`
	Negatives  int64          `json:"negatives"`
}

// MarshalJSON encodes the curve as {"fpr", "tpr", "thresholds",
// "positives", "negatives"}, the first threshold +Inf written "Infinity"
// (evalkit's rule for non-finite floats, docs/formats.md).
func (r *ROC) MarshalJSON() ([]byte, error) {
	return json.Marshal(rocJSON{r.FPR, r.TPR, r.Thresholds, r.Positives, r.Negatives})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (r *ROC) UnmarshalJSON(b []byte) error {
	var j rocJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("verify: ROC: %w", err)
	}
	if len(j.FPR) != len(j.TPR) || len(j.FPR) != len(j.Thresholds) {
		return fmt.Errorf("verify: ROC has %d FPRs, %d TPRs and %d thresholds; want one of each per point", len(j.FPR), len(j.TPR), len(j.Thresholds))
	}
	*r = ROC{FPR: j.FPR, TPR: j.TPR, Thresholds: j.Thresholds, Positives: j.Positives, Negatives: j.Negatives}
	return nil
}

// NewROC returns the exact ROC of scores labelled genuine (true) or
// impostor (false), as scikit-learn's roc_curve(genuine, scores). Scores must
// not be NaN; both classes must be present. It sorts copies of the scores.
func NewROC(scores []float64, genuine []bool) (*ROC, error) {
	// Sized once: appends that grow the class slices copy them and touch
	// fresh pages several times over.
	npos := 0
	for _, g := range genuine {
		if g {
			npos++
		}
	}
	c := Curve{genuine: make([]float64, 0, npos), impostor: make([]float64, 0, max(0, len(scores)-npos))}
	if err := c.Add(scores, genuine); err != nil {
		return nil, err
	}
	return c.ROC()
}

// AUC returns the area under the curve by the trapezoid rule, summed as
// scikit-learn's auc (numpy's trapz) does.
func (r *ROC) AUC() float64 {
	if len(r.FPR) < 2 {
		return math.NaN()
	}
	terms := make([]float64, len(r.FPR)-1)
	for i := range terms {
		d := r.FPR[i+1] - r.FPR[i]
		terms[i] = d * (r.TPR[i+1] + r.TPR[i]) / 2.0
	}
	return pairwiseSum(terms)
}

// OperatingPoint is a TAR@FAR reading of a ROC.
type OperatingPoint struct {
	// FAR is the false-accept rate asked for.
	FAR float64 `json:"far"`
	// FPR is the false-positive rate of the point read (equal to FAR when
	// interpolated).
	FPR float64 `json:"fpr"`
	// TAR is the true-accept rate there.
	TAR float64 `json:"tar"`
	// Threshold accepts scores >= Threshold (+Inf accepts none).
	Threshold float64 `json:"threshold"`
}

type operatingPointJSON struct {
	FAR       jsonnum.Float `json:"far"`
	FPR       jsonnum.Float `json:"fpr"`
	TAR       jsonnum.Float `json:"tar"`
	Threshold jsonnum.Float `json:"threshold"`
}

// MarshalJSON encodes the reading; a threshold of +Inf (accept none) is
// written "Infinity" (docs/formats.md).
func (p OperatingPoint) MarshalJSON() ([]byte, error) {
	return json.Marshal(operatingPointJSON{jsonnum.Float(p.FAR), jsonnum.Float(p.FPR), jsonnum.Float(p.TAR), jsonnum.Float(p.Threshold)})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (p *OperatingPoint) UnmarshalJSON(b []byte) error {
	var j operatingPointJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("verify: operating point: %w", err)
	}
	*p = OperatingPoint{float64(j.FAR), float64(j.FPR), float64(j.TAR), float64(j.Threshold)}
	return nil
}

// TARAtFAR returns the ROC point whose FPR is nearest to far, the rule of
// insightface's IJB evaluation (eval_ijbc.py): no interpolation, the point
// may lie above far, and among equally near points the one with the highest
// TPR wins. Use it on a ROC with intermediate points dropped (the default)
// to reproduce insightface's tables, since dropping changes which point is
// nearest.
func (r *ROC) TARAtFAR(far float64) OperatingPoint {
	best, bestD := 0, math.Inf(1)
	for i, f := range r.FPR {
		if d := math.Abs(f - far); d <= bestD {
			best, bestD = i, d
		}
	}
	return OperatingPoint{FAR: far, FPR: r.FPR[best], TAR: r.TPR[best], Threshold: r.Thresholds[best]}
}

// TARAtFARInterpolated returns the TPR at FPR far on the piecewise-linear
// ROC (the highest TPR when a vertical segment sits at far), with the
// threshold interpolated linearly between the two neighbouring points — the
// way insightface's VAL@FAR interpolates thresholds on the FAR curve. far is
// clamped to [0, 1].
func (r *ROC) TARAtFARInterpolated(far float64) OperatingPoint {
	x := math.Min(math.Max(far, 0), 1)
	n := len(r.FPR)
	// last index with FPR <= x
	i := 0
	for i+1 < n && r.FPR[i+1] <= x {
		i++
	}
	if r.FPR[i] == x || i+1 == n {
		return OperatingPoint{FAR: far, FPR: r.FPR[i], TAR: r.TPR[i], Threshold: r.Thresholds[i]}
	}
	w := (x - r.FPR[i]) / (r.FPR[i+1] - r.FPR[i])
	return OperatingPoint{
		FAR:       far,
		FPR:       x,
		TAR:       lerp(r.TPR[i], r.TPR[i+1], w),
		Threshold: lerpThreshold(r.Thresholds[i], r.Thresholds[i+1], w),
	}
}

// EER returns the equal error rate, where the false-accept rate equals the
// false-reject rate 1 - TPR, interpolated linearly on the ROC segment that
// crosses, and the threshold interpolated the same way.
func (r *ROC) EER() (eer, threshold float64) {
	g := func(i int) float64 { return r.FPR[i] + r.TPR[i] - 1 }
	for i := range r.FPR {
		gi := g(i)
		if gi < 0 {
			continue
		}
		if gi == 0 || i == 0 {
			return r.FPR[i], r.Thresholds[i]
		}
		g0 := g(i - 1)
		w := -g0 / (gi - g0)
		return lerp(r.FPR[i-1], r.FPR[i], w), lerpThreshold(r.Thresholds[i-1], r.Thresholds[i], w)
	}
	last := len(r.FPR) - 1
	return r.FPR[last], r.Thresholds[last]
}

func lerp(a, b, w float64) float64 { return a + w*(b-a) }

// lerpThreshold interpolates between thresholds, taking b when a is the
// +Inf of the first point.
func lerpThreshold(a, b, w float64) float64 {
	if math.IsInf(a, 0) {
		return b
	}
	return lerp(a, b, w)
}

// StandardFARs are the false-accept rates of insightface's IJB tables.
var StandardFARs = []float64{1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1}
