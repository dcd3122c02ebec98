package verify

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
	"github.com/google/go-cmp/cmp"
)

func TestAggregateTemplatesSpec(t *testing.T) {
	feats := nd.Must(nd.FromFloat32([]float32{3, 4, 1, 0, 0, 2, 1, 1, 2, 0}, 5, 2))
	tm, err := AggregateTemplates(feats, []int64{7, 7, 7, 3, 3}, []int64{10, 11, 11, 20, 21}, TemplateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{3, 7}, tm.IDs); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	want := []float64{0.9486832980505138, 0.31622776601683794, 0.5734623443633283, 0.8192319205190405}
	if diff := cmp.Diff(want, tm.Features); diff != "" {
		t.Errorf("features (-want +got):\n%s", diff)
	}
	s, err := tm.Scores([]int64{7}, []int64{3})
	if err != nil {
		t.Fatal(err)
	}
	if s[0] != 0.8030980282338017 {
		t.Errorf("score(7,3) = %.17g, want 0.8030980282338017", s[0])
	}
	if _, err := tm.Scores([]int64{7}, []int64{4}); err == nil || !strings.Contains(err.Error(), "template 4") {
		t.Errorf("unknown template: err = %v", err)
	}
}

func TestAggregateTemplatesFlipDetector(t *testing.T) {
	// Rows [orig | flip]; halves summed, then weighted by the detector score.
	feats := nd.Must(nd.FromFloat64([]float64{
		1, 0, 2, 0, // → (3, 0) × 2 = (6, 0)
		0, 1, 0, 0, // → (0, 1) × 1
	}, 2, 4))
	tm, err := AggregateTemplates(feats, []int64{1, 1}, []int64{5, 5}, TemplateOptions{FlipHalves: true, DetectorScores: []float32{2, 1}})
	if err != nil {
		t.Fatal(err)
	}
	// one media of two rows: mean (3, 0.5), normalised
	n := 3 / 3.0413812651491097
	if tm.Dim != 2 || len(tm.IDs) != 1 || !near(tm.Features[0], n, 1e-15) {
		t.Errorf("got %+v", tm)
	}
	for _, tc := range []struct {
		feats *nd.Array
		t, m  []int64
		opts  TemplateOptions
		want  string
	}{
		{feats, []int64{1}, []int64{1, 1}, TemplateOptions{}, "2 feature rows but 1 template ids"},
		{feats, []int64{1, 1}, []int64{1, 1}, TemplateOptions{DetectorScores: []float32{1}}, "1 detector scores"},
		{nd.Must(nd.FromFloat32([]float32{1, 2, 3}, 1, 3)), []int64{1}, []int64{1}, TemplateOptions{FlipHalves: true}, "even number"},
		{nd.Must(nd.FromInt64([]int64{1, 2}, 1, 2)), []int64{1}, []int64{1}, TemplateOptions{}, "float32 or float64"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if _, err := AggregateTemplates(tc.feats, tc.t, tc.m, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestTARTableFormat(t *testing.T) {
	// insightface issue #1263's table, rebuilt from its cells.
	header := []string{"Methods", "1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1"}
	got := FormatTable(header, [][]string{{"arcface-IJBC", "89.91", "94.47", "96.28", "97.52", "98.36", "99.08"}})
	want := `+--------------+-------+-------+--------+-------+-------+-------+
|   Methods    | 1e-06 | 1e-05 | 0.0001 | 0.001 |  0.01 |  0.1  |
+--------------+-------+-------+--------+-------+-------+-------+
| arcface-IJBC | 89.91 | 94.47 | 96.28  | 97.52 | 98.36 | 99.08 |
+--------------+-------+-------+--------+-------+-------+-------+
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for i, f := range StandardFARs {
		if PyFloat(f) != header[i+1] {
			t.Errorf("PyFloat(%v) = %q, want %q", f, PyFloat(f), header[i+1])
		}
	}
	if PyFloat(1) != "1.0" || PyFloat(0.5) != "0.5" {
		t.Errorf("PyFloat(1) = %q, PyFloat(0.5) = %q", PyFloat(1), PyFloat(0.5))
	}
	s, l := specSmall()
	r, err := NewROC(s, l)
	if err != nil {
		t.Fatal(err)
	}
	tab := TARTable("ijbc-IJBC", r, StandardFARs)
	if !strings.Contains(tab, "| ijbc-IJBC | 33.33 | 33.33 | 33.33  | 33.33 | 33.33 | 66.67 |") {
		t.Errorf("table:\n%s", tab)
	}
}

// TestTemplateScoresParallel scores enough pairs to be split across
// goroutines (run under -race in CI) and checks every score against the
// sequential dot product, and that an unknown template in the second half
// is reported with its pair index.
func TestTemplateScoresParallel(t *testing.T) {
	g := &glibcLCG{s: 9}
	const n, d = 200, 16
	feats := make([]float32, n*d)
	for i := range feats {
		feats[i] = float32(g.next() - 0.5)
	}
	tids, mids := make([]int64, n), make([]int64, n)
	for i := range tids {
		tids[i], mids[i] = int64(i%50), int64(i%80)
	}
	tm, err := AggregateTemplates(nd.Must(nd.FromFloat32(feats, n, d)), tids, mids, TemplateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := make([]int64, 5000), make([]int64, 5000)
	for k := range p1 {
		p1[k], p2[k] = int64(g.next()*50), int64(g.next()*50)
	}
	got, err := tm.Scores(p1, p2)
	if err != nil {
		t.Fatal(err)
	}
	for k := range p1 {
		a, _ := tm.Row(p1[k])
		b, _ := tm.Row(p2[k])
		if want := dotPairwise(a, b); got[k] != want {
			t.Fatalf("pair %d: %v, sequential %v", k, got[k], want)
		}
	}
	p2[4000], p2[4500] = 77, 78
	if _, err := tm.Scores(p1, p2); err == nil || !strings.Contains(err.Error(), "pair 4000 names template 77") {
		t.Errorf("unknown templates at pairs 4000 and 4500: err = %v", err)
	}
}

// TestAggregateTemplatesNonFinite: a NaN or infinite feature (or flip sum)
// is an error naming its row and column.
func TestAggregateTemplatesNonFinite(t *testing.T) {
	big := float32(3e38)
	for _, tc := range []struct {
		feats []float32
		flip  bool
		want  string
	}{
		{[]float32{1, 2, 3, float32(math.NaN())}, false, "feature row 1, column 1 is not finite (NaN)"},
		{[]float32{1, 2, float32(math.Inf(1)), 4}, false, "feature row 1, column 0 is not finite (+Inf)"},
		{[]float32{1, 2, big, big}, true, "feature row 1, column 0 is not finite (+Inf)"},
	} {
		t.Run(fmt.Sprintf("%v flip=%v", tc.feats, tc.flip), func(t *testing.T) {
			_, err := AggregateTemplates(nd.Must(nd.FromFloat32(tc.feats, 2, 2)), []int64{1, 2}, []int64{1, 2}, TemplateOptions{FlipHalves: tc.flip})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v flip=%v: err = %v, want %q", tc.feats, tc.flip, err, tc.want)
			}
		})
	}
}
