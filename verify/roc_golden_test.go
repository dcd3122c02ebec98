package verify

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rocGolden is one case of testdata/verify/roc_golden.json (gen_roc.py,
// scikit-learn 1.2's roc_curve and auc, SciPy's Mann-Whitney U).
type rocGolden struct {
	Name           string
	FPR, TPR       []float64
	Thresholds     []*float64
	FullPoints     int `json:"full_points"`
	AUC            float64
	MannWhitneyAUC float64      `json:"mann_whitney_auc"`
	Nearest        [][]*float64 `json:"nearest"`
	NearestRow     string       `json:"nearest_row"`
	Interpolated   [][]float64
	EER            []float64
}

func TestGoldenROC(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "verify", "roc_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []rocGolden
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	gens := map[string]func() ([]float64, []bool){
		"spec_small": specSmall, "spec_lcg": spec4Scores, "ties": rocTies, "float32": rocFloat32,
	}
	if len(cases) != len(gens) {
		t.Fatalf("%d golden cases, want %d", len(cases), len(gens))
	}
	for _, g := range cases {
		t.Run(g.Name, func(t *testing.T) {
			scores, labels := gens[g.Name]()
			var c Curve
			if err := c.Add(scores, labels); err != nil {
				t.Fatal(err)
			}
			r, err := c.ROC()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(g.FPR, r.FPR); diff != "" {
				t.Errorf("fpr (-sklearn +got):\n%s", diff)
			}
			if diff := cmp.Diff(g.TPR, r.TPR); diff != "" {
				t.Errorf("tpr (-sklearn +got):\n%s", diff)
			}
			if !math.IsInf(r.Thresholds[0], 1) {
				t.Errorf("first threshold %v, want +Inf", r.Thresholds[0])
			}
			for i := 1; i < len(g.Thresholds) && i < len(r.Thresholds); i++ {
				if *g.Thresholds[i] != r.Thresholds[i] {
					t.Errorf("threshold %d = %v, want %v", i, r.Thresholds[i], *g.Thresholds[i])
				}
			}
			if got := r.AUC(); got != g.AUC {
				t.Errorf("AUC %.17g, sklearn %.17g", got, g.AUC)
			}
			// AUC equals the Mann-Whitney statistic U/(P·N), ties counting half.
			if got := r.AUC(); math.Abs(got-g.MannWhitneyAUC) > 1e-12 {
				t.Errorf("AUC %.17g, Mann-Whitney %.17g", got, g.MannWhitneyAUC)
			}
			full, err := c.FullROC()
			if err != nil {
				t.Fatal(err)
			}
			if len(full.FPR) != g.FullPoints {
				t.Errorf("full ROC has %d points, sklearn %d", len(full.FPR), g.FullPoints)
			}
			if full.AUC() != r.AUC() && math.Abs(full.AUC()-r.AUC()) > 1e-15 {
				t.Errorf("full-curve AUC %.17g differs from dropped %.17g", full.AUC(), r.AUC())
			}
			for i, far := range StandardFARs {
				p := r.TARAtFAR(far)
				w := g.Nearest[i]
				wantTh := math.Inf(1)
				if w[2] != nil {
					wantTh = *w[2]
				}
				if p.FPR != *w[0] || p.TAR != *w[1] || p.Threshold != wantTh {
					t.Errorf("nearest @%g = %+v, want fpr %v tar %v threshold %v", far, p, *w[0], *w[1], wantTh)
				}
				q := r.TARAtFARInterpolated(far)
				if math.Abs(q.TAR-g.Interpolated[i][0]) > 1e-12 || math.Abs(q.Threshold-g.Interpolated[i][1]) > 1e-12 {
					t.Errorf("interpolated @%g = %+v, want tar %v threshold %v", far, q, g.Interpolated[i][0], g.Interpolated[i][1])
				}
				// The interpolated reading is also exact on the full curve.
				fq := full.TARAtFARInterpolated(far)
				if math.Abs(fq.TAR-q.TAR) > 1e-12 {
					t.Errorf("interpolated @%g on the full curve %v, dropped %v", far, fq.TAR, q.TAR)
				}
			}
			if got := tarRow(r); got != g.NearestRow {
				t.Errorf("TAR@FAR row %q, want %q", got, g.NearestRow)
			}
			eer, th := r.EER()
			if math.Abs(eer-g.EER[0]) > 1e-12 || math.Abs(th-g.EER[1]) > 1e-12 {
				t.Errorf("EER %v at %v, want %v at %v", eer, th, g.EER[0], g.EER[1])
			}
		})
	}
}
