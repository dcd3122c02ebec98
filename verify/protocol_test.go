package verify

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// caseD is a hand-worked distance-level example of evaluate(): 5 folds of
// 4 pairs, [same, same, diff, diff] in every fold.
var caseD = []float64{
	0.50, 1.30, 1.10, 2.00,
	0.70, 0.90, 1.20, 1.80,
	0.40, 1.25, 0.95, 1.60,
	0.60, 1.00, 1.05, 1.70,
	0.80, 1.40, 1.35, 1.90,
}

func caseDLabels() []bool {
	l := make([]bool, 20)
	for i := range l {
		l[i] = i%4 < 2
	}
	return l
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestEvaluateCaseD(t *testing.T) {
	r, err := Evaluate(caseD, caseDLabels(), Options{Folds: 5})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{0.75, 0.75, 0.5, 0.75, 0.75}, r.FoldAccuracies); diff != "" {
		t.Errorf("fold accuracies (-want +got):\n%s", diff)
	}
	g := AccuracyGrid
	wantBest := []float64{g.Value(91), g.Value(81), g.Value(101), g.Value(91), g.Value(91)}
	if diff := cmp.Diff(wantBest, r.BestThresholds); diff != "" {
		t.Errorf("best thresholds (-want +got):\n%s", diff)
	}
	// The spec prints these with 17 significant digits: they are the exact
	// float64 results of numpy's mean and std.
	if r.Accuracy != 0.69999999999999996 || r.AccuracyStd != 0.099999999999999992 {
		t.Errorf("accuracy = %.17g ± %.17g, want 0.69999999999999996 ± 0.099999999999999992", r.Accuracy, r.AccuracyStd)
	}
	wantVT := []float64{0.949008, 0.949008, 1.050008, 0.949008, 0.949008}
	for i, w := range wantVT {
		if !near(r.VALThresholds[i], w, 1e-12) {
			t.Errorf("val threshold %d = %.17g, want %v", i, r.VALThresholds[i], w)
		}
	}
	// Per-fold VAL is [0.5, 1, 0.5, 0.5, 0.5]; worked by hand val_std is
	// 0.2, numpy's np.std of that list is 0.20000000000000004.
	if diff := cmp.Diff([]float64{0.5, 1, 0.5, 0.5, 0.5}, r.FoldVAL); diff != "" {
		t.Errorf("fold VAL (-want +got):\n%s", diff)
	}
	if r.VAL != 0.6 || r.VALStd != 0.20000000000000004 || r.FAR != 0.1 {
		t.Errorf("val = %.17g ± %.17g far %.17g, want 0.6 ± 0.20000000000000004, 0.1", r.VAL, r.VALStd, r.FAR)
	}
	if got := fmt.Sprintf("%.5f+-%.5f", r.Accuracy, r.AccuracyStd); got != "0.70000+-0.10000" {
		t.Errorf("printed %s", got)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("unexpected warnings %v", r.Warnings)
	}
}

func TestEvaluateDegenerate(t *testing.T) {
	labels := make([]bool, 40)
	for i := range labels {
		labels[i] = i%2 == 0
	}
	for _, tc := range []struct {
		dist     float64
		wantVT   float64
		wantBest float64
	}{
		// All distances 0: nothing is below threshold 0, everything below
		// 0.01; training accuracy is 0.5 at every threshold, so the first
		// (0.00) wins. FAR jumps from 0 to 1 between thresholds 0 and
		// 0.001: slinear gives 0 + 0.001·(1e-3 − 0)/(1 − 0) = 1e-6.
		{0, 1e-6, 0},
		// All distances 1.0: FAR is 0 up to grid point 1000 (1.0 is not
		// below 1.0) and 1 from 1001: 1.000 + 0.000001.
		{1, 1.000001, 0},
	} {
		t.Run(fmt.Sprint(tc.dist), func(t *testing.T) {
			d := make([]float64, len(labels))
			for i := range d {
				d[i] = tc.dist
			}
			r, err := Evaluate(d, labels, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Accuracy != 0.5 || r.AccuracyStd != 0 {
				t.Errorf("dist %v: accuracy %v ± %v, want 0.5 ± 0", tc.dist, r.Accuracy, r.AccuracyStd)
			}
			for f := range r.BestThresholds {
				if r.BestThresholds[f] != tc.wantBest {
					t.Errorf("dist %v: best threshold %d = %v", tc.dist, f, r.BestThresholds[f])
				}
				if !near(r.VALThresholds[f], tc.wantVT, 1e-15) {
					t.Errorf("dist %v: val threshold %d = %.17g, want %v", tc.dist, f, r.VALThresholds[f], tc.wantVT)
				}
			}
			if r.VAL != 1 || r.FAR != 1 || r.VALStd != 0 {
				t.Errorf("dist %v: val %v ± %v far %v, want 1 ± 0, 1", tc.dist, r.VAL, r.VALStd, r.FAR)
			}
			if got := fmt.Sprintf("%1.5f+-%1.5f", r.Accuracy, r.AccuracyStd); got != "0.50000+-0.00000" {
				t.Errorf("printed %s", got)
			}
		})
	}
}

// TestEvaluateOneClass: labels of one class are one clear error, not a
// warning for every fold and split.
func TestEvaluateOneClass(t *testing.T) {
	scores := make([]float64, 100)
	for i := range scores {
		scores[i] = float64(i) / 50
	}
	for _, tc := range []struct {
		name  string
		label bool
		want  string
	}{{"all same", true, "all 100 pairs are same-identity pairs"}, {"all different", false, "all 100 pairs are different-identity pairs"}} {
		t.Run(tc.name, func(t *testing.T) {
			issame := make([]bool, len(scores))
			for i := range issame {
				issame[i] = tc.label
			}
			r, err := Evaluate(scores, issame, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Evaluate: result %v, error %v; want an error %q", r != nil, err, tc.want)
			}
		})
	}
}
