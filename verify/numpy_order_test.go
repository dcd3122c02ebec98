package verify

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// numpyOrderGolden is testdata/verify/numpy_order_golden.json
// (gen_numpy_order.py: numpy 1.24, scikit-learn 1.2).
type numpyOrderGolden struct {
	Curves []struct {
		Name   string
		N      int
		Seed   uint64
		Points int
		AUC    float64
		Sample [][3]float64
	}
	Sums []struct {
		N     int
		Sum64 float64
		Sum32 float64
		Dot   float64
	}
	SignedZero []struct {
		Name       string
		Scores     []string
		Labels     []int
		Thresholds []string
	} `json:"signed_zero"`
}

func readNumpyOrderGolden(t *testing.T) numpyOrderGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "verify", "numpy_order_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g numpyOrderGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// uniformScores mirrors uniform_scores in gen_numpy_order.py.
func uniformScores(n int, seed uint64) ([]float64, []bool) {
	g := &glibcLCG{s: seed}
	s := make([]float64, n)
	y := make([]bool, n)
	for i := range s {
		s[i] = g.next()
		y[i] = g.next() < s[i]
	}
	return s, y
}

// TestAUCLargeCurves checks AUC bit for bit against scikit-learn on curves
// of more than 8192 points, where numpy sums in buffers of 8192.
func TestAUCLargeCurves(t *testing.T) {
	for _, c := range readNumpyOrderGolden(t).Curves {
		t.Run(c.Name, func(t *testing.T) {
			r, err := NewROC(uniformScores(c.N, c.Seed))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.FPR) != c.Points {
				t.Fatalf("%d points, scikit-learn %d", len(r.FPR), c.Points)
			}
			step := max(1, c.Points/7)
			for k, i := 0, 1; i < c.Points; k, i = k+1, i+step {
				w := c.Sample[k]
				if r.FPR[i] != w[0] || r.TPR[i] != w[1] || r.Thresholds[i] != w[2] {
					t.Errorf("point %d = (%v, %v, %v), want %v", i, r.FPR[i], r.TPR[i], r.Thresholds[i], w)
				}
			}
			if got := r.AUC(); got != c.AUC {
				t.Errorf("AUC %s, scikit-learn %s", strconv.FormatFloat(got, 'g', -1, 64), strconv.FormatFloat(c.AUC, 'g', -1, 64))
			}
		})
	}
}

// TestNumpySumOrder checks pairwiseSum and dotPairwise against np.sum on
// arrays around and beyond numpy's 8192-element buffer.
func TestNumpySumOrder(t *testing.T) {
	for _, c := range readNumpyOrderGolden(t).Sums {
		t.Run(strconv.Itoa(c.N), func(t *testing.T) {
			g := &glibcLCG{s: uint64(c.N)}
			a := make([]float64, c.N)
			a32 := make([]float32, c.N)
			for i := range a {
				u := g.next() - 0.5
				a[i] = u * math.Pow(10, math.Trunc(g.next()*8))
				a32[i] = float32(a[i])
			}
			if got := pairwiseSum(a); got != c.Sum64 {
				t.Errorf("float64 sum %.17g, numpy %.17g", got, c.Sum64)
			}
			if got := float64(pairwiseSum(a32)); got != c.Sum32 {
				t.Errorf("float32 sum %.9g, numpy %.9g", got, c.Sum32)
			}
			rev := make([]float64, len(a))
			for i := range a {
				rev[i] = a[len(a)-1-i]
			}
			if got := dotPairwise(a, rev); got != c.Dot {
				t.Errorf("np.sum(a*b) %.17g, numpy %.17g", got, c.Dot)
			}
		})
	}
}

// TestSignedZeroThreshold checks that a zero threshold carries the sign of
// the first zero score, bit for bit as scikit-learn's roc_curve, through
// NewROC, a Curve's JSON round trip and a merge.
func TestSignedZeroThreshold(t *testing.T) {
	parse := func(s string) float64 {
		if s == "inf" {
			return math.Inf(1)
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range readNumpyOrderGolden(t).SignedZero {
		t.Run(c.Name, func(t *testing.T) {
			scores := make([]float64, len(c.Scores))
			genuine := make([]bool, len(c.Labels))
			for i := range scores {
				scores[i], genuine[i] = parse(c.Scores[i]), c.Labels[i] == 1
			}
			check := func(how string, r *ROC) {
				t.Helper()
				if len(r.Thresholds) != len(c.Thresholds) {
					t.Fatalf("%s: %d thresholds, want %d", how, len(r.Thresholds), len(c.Thresholds))
				}
				for i, w := range c.Thresholds {
					if got, want := r.Thresholds[i], parse(w); math.Float64bits(got) != math.Float64bits(want) {
						t.Errorf("%s: threshold %d = %v (sign bit %v), want %s", how, i, got, math.Signbit(got), w)
					}
				}
			}
			var c1 Curve
			if err := c1.Add(scores, genuine); err != nil {
				t.Fatal(err)
			}
			r, err := c1.FullROC()
			if err != nil {
				t.Fatal(err)
			}
			check("Add", r)
			// The ROC sorted the lists in place; the state must still know.
			b, err := json.Marshal(&c1)
			if err != nil {
				t.Fatal(err)
			}
			var c2 Curve
			if err := json.Unmarshal(b, &c2); err != nil {
				t.Fatal(err)
			}
			if r, err = c2.FullROC(); err != nil {
				t.Fatal(err)
			}
			check("JSON "+string(b), r)
			// Shards merged in input order.
			var a, z Curve
			h := len(scores) / 2
			if err := a.Add(scores[:h], genuine[:h]); err != nil {
				t.Fatal(err)
			}
			if err := z.Add(scores[h:], genuine[h:]); err != nil {
				t.Fatal(err)
			}
			if err := a.Merge(&z); err != nil {
				t.Fatal(err)
			}
			if r, err = a.FullROC(); err != nil {
				t.Fatal(err)
			}
			check("merged", r)
		})
	}
}
