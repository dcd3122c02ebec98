package verify

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// summaryROC: genuine 0.9, 0.6 and impostor 0.7, 0.1. Three of the four
// genuine-impostor pairs are ordered, so AUC = 0.75.
func summaryROC(t *testing.T) *ROC {
	t.Helper()
	r, err := NewROC([]float64{0.9, 0.7, 0.6, 0.1}, []bool{true, false, true, false})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSummarize(t *testing.T) {
	r := summaryROC(t)
	neg := func(v float64) float64 { return -v }
	s := Summarize(r, []float64{1e-6, 0.5}, neg)
	if s.AUC != 0.75 {
		t.Errorf("AUC = %v, want 0.75", s.AUC)
	}
	eer, th := r.EER()
	if s.EER != eer || float64(s.EERThreshold) != -th {
		t.Errorf("EER %v at %v, want %v at %v", s.EER, s.EERThreshold, eer, -th)
	}
	if len(s.TARAtFAR) != 2 {
		t.Fatalf("%d rows, want 2", len(s.TARAtFAR))
	}
	// The ROC points (FPR, TPR, threshold): (0, 0, +Inf), (0, 0.5, 0.9),
	// (0.5, 0.5, 0.7), (0.5, 1, 0.6), (1, 1, 0.1). Among points of equally
	// near FPR the rule takes the last (insightface flips the arrays before
	// its argmin): FAR 1e-6 reads (0, 0.5, 0.9), FAR 0.5 reads (0.5, 1, 0.6).
	if row := s.TARAtFAR[0]; row.TAR != 0.5 || row.FPR != 0 || float64(row.Threshold) != -0.9 {
		t.Errorf("FAR 1e-6 row %+v, want TAR 0.5, FPR 0, threshold -0.9", row)
	}
	if row := s.TARAtFAR[1]; row.TAR != 1 || row.FPR != 0.5 || float64(row.Threshold) != -0.6 {
		t.Errorf("FAR 0.5 row %+v, want TAR 1, FPR 0.5, threshold -0.6", row)
	}
	if id := Summarize(r, []float64{0.5}, nil); float64(id.TARAtFAR[0].Threshold) != 0.6 {
		t.Errorf("nil toUser: threshold %v, want 0.6", id.TARAtFAR[0].Threshold)
	}
}

// Non-finite thresholds follow the project's one JSON rule: with an impostor
// scoring highest, FPR 0 is reached only by accepting nothing, at +Inf.
func TestCurveSummaryJSON(t *testing.T) {
	r, err := NewROC([]float64{0.9, 0.7, 0.6, 0.1}, []bool{false, true, false, true})
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(r, []float64{1e-6}, nil)
	b, err := json.Marshal(s.TARAtFAR[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"far":0.000001,"tar":0,"fpr":0,"threshold":"Infinity","tar_interpolated":0,"threshold_interpolated":0.9}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var back TARAtFAR
	if err := json.Unmarshal(b, &back); err != nil || !math.IsInf(float64(back.Threshold), 1) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

func TestWriteTARTable(t *testing.T) {
	s := CurveSummary{TARAtFAR: []TARAtFAR{{FAR: 1e-4, TAR: 0.5, FPR: 1e-4, Threshold: 1.25, TARInterpolated: 0.625, ThresholdInterpolated: 1.5}}}
	var b strings.Builder
	if err := s.WriteTARTable(&b, "t", "distance <="); err != nil {
		t.Fatal(err)
	}
	want := "[t]TAR@FAR   nearest ROC point (FPR, distance <=)   interpolated (distance <=)\n" +
		"[t]0.0001   0.50000 (1.00e-04, 1.25)   0.62500 (1.5)\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestNewReport(t *testing.T) {
	res := &Result{Pairs: 4, Mode: ExactMode, Score: Cosine, Accuracy: 0.75, Warnings: []string{"w"}}
	sum := CurveSummary{AUC: 0.5, EER: 0.25, EERThreshold: 0.125}
	r := NewReport("lfw", 2, true, res, sum)
	if r.Name != "lfw" || r.Pairs != 4 || r.Folds != 2 || r.Mode != "exact" || r.Score != "cosine" || !r.Flip ||
		r.Accuracy != 0.75 || r.AUC != 0.5 || r.EER != 0.25 || r.EERThreshold != 0.125 || len(r.Warnings) != 1 {
		t.Errorf("report %+v", r)
	}
}

func TestPairROC(t *testing.T) {
	// Distances 0.2 (same), 1.4 (different), 0.8 (same): as scores -0.2,
	// -1.4, -0.8; every same pair is nearer than the different one, AUC 1.
	r, toUser, err := PairROC([]float64{0.2, 1.4, 0.8}, []bool{true, false, true}, SquaredL2)
	if err != nil {
		t.Fatal(err)
	}
	if r.AUC() != 1 || toUser(-0.8) != 0.8 {
		t.Errorf("l2: AUC %v, toUser(-0.8) = %v; want 1 and 0.8", r.AUC(), toUser(-0.8))
	}
	// The same numbers as cosine similarities: the different pair (1.4)
	// scores above both same pairs (0.2, 0.8), so neither of the two
	// (same, different) pairs is ordered: AUC 0.
	r, toUser, err = PairROC([]float64{0.2, 1.4, 0.8}, []bool{true, false, true}, Cosine)
	if err != nil {
		t.Fatal(err)
	}
	if r.AUC() != 0 || toUser(0.8) != 0.8 {
		t.Errorf("cosine: AUC %v, toUser(0.8) = %v; want 0 and 0.8", r.AUC(), toUser(0.8))
	}
	if _, _, err := PairROC([]float64{1}, []bool{true, false}, Cosine); err == nil {
		t.Error("1 score, 2 labels: no error")
	}
}

func TestReportWriteText(t *testing.T) {
	r := Report{Name: "lfw", Score: "l2", Flip: true, XNorm: 22.5, Accuracy: 0.998, AccuracyStd: 0.00245,
		VAL: 0.99, VALStd: 0.01, FAR: 0.001, AUC: 0.9995, EER: 0.0025, EERThreshold: 1.5,
		TARAtFAR: []TARAtFAR{{FAR: 0.1, TAR: 1, FPR: 0.1, Threshold: 1.25, TARInterpolated: 1, ThresholdInterpolated: 1.5}}}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "[lfw]XNorm: 22.500000\n" +
		"[lfw]Accuracy-Flip: 0.99800+-0.00245\n" +
		"[lfw]VAL@FAR=0.001: 0.99000+-0.01000 FAR: 0.00100\n" +
		"[lfw]AUC: 0.999500 EER: 0.00250 (distance <= 1.5)\n" +
		"[lfw]TAR@FAR   nearest ROC point (FPR, distance <=)   interpolated (distance <=)\n" +
		"[lfw]0.1      1.00000 (1.00e-01, 1.25)   1.00000 (1.5)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	r.Flip, r.Score = false, "cosine"
	b.Reset()
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); !strings.Contains(s, "[lfw]Accuracy: 0.99800") || !strings.Contains(s, "(cosine >= 1.5)") {
		t.Errorf("cosine, no flip:\n%s", s)
	}
}
