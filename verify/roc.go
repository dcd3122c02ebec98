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

// rocBuilder turns a stream of cumulative (threshold, tp, fp) points, one
// per distinct threshold in descending order, into a ROC, dropping collinear
// points on the fly with scikit-learn's rule (keep the first and last point
// and every point where the second difference of fps or tps is non-zero).
// It holds three points at a time, so building costs only the kept points.
type rocBuilder struct {
	keepAll bool
	roc     *ROC
	tps     []int64 // kept points' counts, for the final division
	fps     []int64
	n       int // points seen
	// the last two points seen, oldest first
	t1, t2   float64
	tp1, tp2 int64
	fp1, fp2 int64
}

func newROCBuilder(keepAll bool, hint int) *rocBuilder {
	b := &rocBuilder{keepAll: keepAll, roc: &ROC{}}
	if hint > 0 {
		b.roc.Thresholds = make([]float64, 0, hint+1)
		b.tps = make([]int64, 0, hint+1)
		b.fps = make([]int64, 0, hint+1)
	}
	b.keep(math.Inf(1), 0, 0)
	return b
}

func (b *rocBuilder) keep(t float64, tp, fp int64) {
	b.roc.Thresholds = append(b.roc.Thresholds, t)
	b.tps = append(b.tps, tp)
	b.fps = append(b.fps, fp)
}

// add takes the next point. Point k-1 is decided once point k is known.
func (b *rocBuilder) add(t float64, tp, fp int64) {
	switch {
	case b.keepAll || b.n == 0:
		b.keep(t, tp, fp)
	case b.n >= 2:
		// decide point n-1 (slot 2) from points n-2 (slot 1), n-1 and n
		if tp-2*b.tp2+b.tp1 != 0 || fp-2*b.fp2+b.fp1 != 0 {
			b.keep(b.t2, b.tp2, b.fp2)
		}
	}
	b.t1, b.tp1, b.fp1 = b.t2, b.tp2, b.fp2
	b.t2, b.tp2, b.fp2 = t, tp, fp
	b.n++
}

// addRun takes len(ts) points in a row, each one impostor score more than
// the last (distinct impostor scores with no genuine score among them):
// thresholds ts, true positives tp, false positives fp+1, fp+2, …. All
// their increments are equal, so only the first two and the last two can be
// kept; the builder takes those and skips the rest in O(1), as add would
// have dropped them.
func (b *rocBuilder) addRun(ts []float64, tp, fp int64, zero zeroSign) {
	n := len(ts)
	if n < 5 || b.keepAll {
		for k, t := range ts {
			b.add(zero.apply(t), tp, fp+int64(k)+1)
		}
		return
	}
	b.add(zero.apply(ts[0]), tp, fp+1)
	b.add(zero.apply(ts[1]), tp, fp+2)
	// As if ts[2:n-2] had been added: the last two points seen are now
	// ts[n-3] and ts[n-2], and every point before them is decided (ts[1]
	// to ts[n-4] dropped, each between equal increments).
	b.t1, b.tp1, b.fp1 = zero.apply(ts[n-3]), tp, fp+int64(n)-2
	b.t2, b.tp2, b.fp2 = zero.apply(ts[n-2]), tp, fp+int64(n)-1
	b.n += n - 3
	b.add(zero.apply(ts[n-1]), tp, fp+int64(n))
}

// finish keeps the last point and divides by the class totals. It fails
// when a class is absent (scikit-learn warns and returns NaN rates).
func (b *rocBuilder) finish() (*ROC, error) {
	if b.n > 1 && !b.keepAll {
		b.keep(b.t2, b.tp2, b.fp2)
	}
	r := b.roc
	if b.n == 0 {
		return nil, fmt.Errorf("verify: ROC of no scores")
	}
	P, N := b.tps[len(b.tps)-1], b.fps[len(b.fps)-1]
	r.Positives, r.Negatives = P, N
	if P == 0 || N == 0 {
		return nil, fmt.Errorf("verify: ROC needs genuine and impostor scores, got %d genuine and %d impostor", P, N)
	}
	r.TPR = make([]float64, len(b.tps))
	r.FPR = make([]float64, len(b.fps))
	for i := range b.tps {
		r.TPR[i] = float64(b.tps[i]) / float64(P)
		r.FPR[i] = float64(b.fps[i]) / float64(N)
	}
	b.tps, b.fps = nil, nil
	return r, nil
}

// rocFromSorted builds the ROC of genuine and impostor scores, each sorted
// in descending order, by merging the two lists; a zero threshold takes the
// sign zero records. With hinted, ties lists every k where
// imp[k] == imp[k+1] (sortDescendingTies), and runs of impostor scores that
// occur once each are found without reading them.
func rocFromSorted(gen, imp []float64, zero zeroSign, keepAll bool, ties []int, hinted bool) (*ROC, error) {
	b := newROCBuilder(keepAll, 0)
	var i, j, p int
	var tp, fp int64
	for i < len(gen) || j < len(imp) {
		if j < len(imp) && (i == len(gen) || imp[j] > gen[i]) {
			// Impostor scores above the next genuine one: take the run of
			// those that occur once at a time.
			var k int
			if hinted {
				for p < len(ties) && ties[p] < j {
					p++
				}
				k = len(imp) // the next tie, or the end
				if p < len(ties) {
					k = ties[p]
				}
				if i < len(gen) {
					k = min(k, j+firstAtMost(imp[j:], gen[i]))
				}
			} else {
				k = j
				for k < len(imp) && (i == len(gen) || imp[k] > gen[i]) && (k+1 == len(imp) || imp[k+1] != imp[k]) {
					k++
				}
			}
			if k-j >= 5 {
				b.addRun(imp[j:k], tp, fp, zero)
				fp += int64(k - j)
				j = k
				continue
			}
		}
		var t float64
		switch {
		case j == len(imp) || (i < len(gen) && gen[i] >= imp[j]):
			t = gen[i]
		default:
			t = imp[j]
		}
		for i < len(gen) && gen[i] == t {
			i++
			tp++
		}
		for j < len(imp) && imp[j] == t {
			j++
			fp++
		}
		b.add(zero.apply(t), tp, fp)
	}
	return b.finish()
}

// firstAtMost returns the first index of s (descending, s[0] > g) whose
// score is at most g, or len(s): a galloping search, so a short stretch
// costs a few reads near its start.
func firstAtMost(s []float64, g float64) int {
	hi := 1
	for hi < len(s) && s[hi] > g {
		hi *= 2
	}
	lo := hi / 2 // s[lo] > g
	hi = min(hi, len(s))
	for hi-lo > 1 {
		m := int(uint(lo+hi) >> 1)
		if s[m] > g {
			lo = m
		} else {
			hi = m
		}
	}
	return hi
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
