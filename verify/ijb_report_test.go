package verify

import (
	"encoding/json"
	"testing"
)

// The report's JSON keeps evalkit ijb's field order, with the summary's
// fields inline. Worked by hand: the ROC with intermediate points dropped
// is (FPR, TPR, threshold) = (0, 0, +Inf), (0, 1, 0.8), (1, 1, 0.1), so AUC
// 1 and EER 0 at 0.8; at FAR 0.5 the points FPR 0 and FPR 1 are equally
// near and eval_ijbc.py's flipped arrays pick the later one (FPR 1,
// threshold 0.1), while interpolation gives 0.8 + 0.5·(0.1 − 0.8) = 0.45.
func TestIJBReportJSON(t *testing.T) {
	r, err := NewROC([]float64{0.9, 0.1, 0.8, 0.2}, []bool{true, false, true, false})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(NewIJBReport("m", "IJBC", r, Summarize(r, []float64{0.5}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"method":"m","target":"IJBC","pairs":4,"genuine":2,"impostor":2,"auc":1,"eer":0,"eer_threshold":0.8,` +
		`"tar_at_far":[{"far":0.5,"tar":1,"fpr":1,"threshold":0.1,"tar_interpolated":1,"threshold_interpolated":0.45}]}`
	if string(b) != want {
		t.Errorf("JSON\n%s\nwant\n%s", b, want)
	}
}
