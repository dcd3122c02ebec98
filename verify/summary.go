package verify

import (
	"fmt"
	"io"

	"github.com/evalkit/evalkit/internal/jsonnum"
)

// TARAtFAR is one row of a TAR@FAR table: the ROC point of nearest FPR
// (insightface's IJB rule) and the interpolated reading, each with its
// threshold in the units the user reads. Thresholds may be non-finite (the
// ROC's "accept nothing" point) and encode by internal/jsonnum's rule.
type TARAtFAR struct {
	FAR                   float64       `json:"far"`
	TAR                   float64       `json:"tar"`
	FPR                   float64       `json:"fpr"`
	Threshold             jsonnum.Float `json:"threshold"`
	TARInterpolated       float64       `json:"tar_interpolated"`
	ThresholdInterpolated jsonnum.Float `json:"threshold_interpolated"`
}

// CurveSummary is the curve metrics read off a ROC over all pairs: AUC, EER
// with its threshold and a TAR@FAR table. evalkit verify and evalkit ijb
// print it after their protocol lines.
type CurveSummary struct {
	AUC          float64       `json:"auc"`
	EER          float64       `json:"eer"`
	EERThreshold jsonnum.Float `json:"eer_threshold"`
	TARAtFAR     []TARAtFAR    `json:"tar_at_far"`
}

// Summarize reads the curve metrics off r, a ROC of scores where higher means
// "same", at each of fars. toUser maps a score threshold to the units shown
// (for a ROC of negated distances, func(t) { return -t }); nil is the
// identity.
func Summarize(r *ROC, fars []float64, toUser func(float64) float64) CurveSummary {
	if toUser == nil {
		toUser = func(t float64) float64 { return t }
	}
	s := CurveSummary{AUC: r.AUC()}
	eer, th := r.EER()
	s.EER, s.EERThreshold = eer, jsonnum.Float(toUser(th))
	for _, far := range fars {
		n, i := r.TARAtFAR(far), r.TARAtFARInterpolated(far)
		s.TARAtFAR = append(s.TARAtFAR, TARAtFAR{
			FAR: far, TAR: n.TAR, FPR: n.FPR, Threshold: jsonnum.Float(toUser(n.Threshold)),
			TARInterpolated: i.TAR, ThresholdInterpolated: jsonnum.Float(toUser(i.Threshold)),
		})
	}
	return s
}

// WriteTARTable prints the TAR@FAR rows as "[name]…" lines: nearest ROC point
// and interpolated reading, each with its threshold; thLabel names the
// threshold's meaning (e.g. "cosine >=").
func (s CurveSummary) WriteTARTable(w io.Writer, name, thLabel string) error {
	if _, err := fmt.Fprintf(w, "[%s]TAR@FAR   nearest ROC point (FPR, %s)   interpolated (%s)\n", name, thLabel, thLabel); err != nil {
		return err
	}
	for _, t := range s.TARAtFAR {
		if _, err := fmt.Fprintf(w, "[%s]%-7s  %1.5f (%.2e, %s)   %1.5f (%s)\n", name, PyFloat(t.FAR),
			t.TAR, t.FPR, Threshold(float64(t.Threshold)), t.TARInterpolated, Threshold(float64(t.ThresholdInterpolated))); err != nil {
			return err
		}
	}
	return nil
}

// PairROC is the ROC over all pairs of Evaluate's per-pair scores, as
// scores where higher means "same": cosine similarities as they are, squared-L2
// distances negated. toUser maps the ROC's thresholds back to the units of
// score, for Summarize.
func PairROC(scores []float64, issame []bool, score Score) (roc *ROC, toUser func(float64) float64, err error) {
	curve := scores
	toUser = func(t float64) float64 { return t }
	if score == SquaredL2 {
		curve = make([]float64, len(scores))
		for i, d := range scores {
			curve[i] = -d
		}
		toUser = func(t float64) float64 { return -t }
	}
	roc, err = NewROC(curve, issame)
	return roc, toUser, err
}

// Report is evalkit verify's JSON result: the run's settings, the protocol's
// Result (its per-point grid rates left out) and the CurveSummary over all
// pairs. docs/formats.md lists its fields.
type Report struct {
	Name            string        `json:"name"`
	Pairs           int           `json:"pairs"`
	Folds           int           `json:"folds"`
	Mode            string        `json:"mode"`
	Score           string        `json:"score"`
	Flip            bool          `json:"flip"`
	Accuracy        float64       `json:"accuracy"`
	AccuracyStd     float64       `json:"accuracy_std"`
	FoldAccuracies  []float64     `json:"fold_accuracies"`
	BestThresholds  []float64     `json:"best_thresholds"`
	TrainAccuracies []float64     `json:"train_accuracies"`
	VAL             float64       `json:"val"`
	VALStd          float64       `json:"val_std"`
	FAR             float64       `json:"far"`
	VALThresholds   []float64     `json:"val_thresholds"`
	XNorm           float64       `json:"xnorm"`
	Warnings        []string      `json:"warnings,omitempty"`
	AUC             float64       `json:"auc"`
	EER             float64       `json:"eer"`
	EERThreshold    jsonnum.Float `json:"eer_threshold"`
	TARAtFAR        []TARAtFAR    `json:"tar_at_far"`
}

// NewReport assembles the Report of target name: res from Evaluate with
// folds folds, flip telling whether flipped embeddings were added, and sum
// the curve metrics over the same pairs.
func NewReport(name string, folds int, flip bool, res *Result, sum CurveSummary) Report {
	return Report{
		Name: name, Pairs: res.Pairs, Folds: folds, Mode: res.Mode.String(), Score: res.Score.String(), Flip: flip,
		Accuracy: res.Accuracy, AccuracyStd: res.AccuracyStd, FoldAccuracies: res.FoldAccuracies,
		BestThresholds: res.BestThresholds, TrainAccuracies: res.TrainAccuracies,
		VAL: res.VAL, VALStd: res.VALStd, FAR: res.FAR, VALThresholds: res.VALThresholds, XNorm: res.XNorm,
		Warnings: res.Warnings, AUC: sum.AUC, EER: sum.EER, EERThreshold: sum.EERThreshold, TARAtFAR: sum.TARAtFAR,
	}
}

// WriteText prints the report as evalkit verify does: insightface's XNorm,
// Accuracy (or Accuracy-Flip) and VAL@FAR lines, then AUC and EER with the
// EER's threshold and the TAR@FAR table, each line prefixed by [Name].
func (r Report) WriteText(w io.Writer) error {
	name, label := r.Name, "Accuracy"
	if r.Flip {
		label = "Accuracy-Flip"
	}
	unit, cmp := "distance", "<="
	if r.Score == Cosine.String() {
		unit, cmp = "cosine", ">="
	}
	if _, err := fmt.Fprintf(w, "[%s]XNorm: %f\n[%s]%s: %1.5f+-%1.5f\n[%s]VAL@FAR=%s: %1.5f+-%1.5f FAR: %1.5f\n[%s]AUC: %1.6f EER: %1.5f (%s %s %s)\n",
		name, r.XNorm, name, label, r.Accuracy, r.AccuracyStd, name, PyFloat(DefaultFARTarget), r.VAL, r.VALStd, r.FAR,
		name, r.AUC, r.EER, unit, cmp, Threshold(float64(r.EERThreshold))); err != nil {
		return err
	}
	return CurveSummary{TARAtFAR: r.TARAtFAR}.WriteTARTable(w, name, unit+" "+cmp)
}
