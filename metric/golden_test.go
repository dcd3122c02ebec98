package metric_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/evalkit/evalkit/metric"
	_ "github.com/evalkit/evalkit/metric/insightface" // accmetric, lossvaluemetric
	"github.com/evalkit/evalkit/nd"
)

// The golden cases come from testdata/metric/gen_golden.py, an independent
// numpy re-implementation of MXNet 1.9.1's metrics and insightface's
// AccMetric / LossValueMetric. Regenerate with:
//
//	/usr/bin/python3 testdata/metric/gen_golden.py
//
// It is an external test package so that it can run insightface's metrics'
// cases beside the built-ins'.

const goldenPath = "../testdata/metric/golden.json"

type goldenGen struct {
	Kind string `json:"kind"`
	Seed uint64 `json:"seed"`
}

type goldenArray struct {
	Shape []int          `json:"shape"`
	Data  []*json.Number `json:"data"` // null is NaN
	Gen   *goldenGen     `json:"gen"`
}

type goldenUpdate struct {
	Labels []goldenArray `json:"labels"`
	Preds  []goldenArray `json:"preds"`
}

type goldenCase struct {
	Name            string         `json:"name"`
	Metric          string         `json:"metric"`
	Args            map[string]any `json:"args"`
	Updates         []goldenUpdate `json:"updates"`
	ResetLocalAfter *int           `json:"reset_local_after"`
	ExpectedLocal   *float64       `json:"expected_local"` // null is NaN
	ExpectedGlobal  *float64       `json:"expected_global"`
}

type goldenFile struct {
	Cases []goldenCase `json:"cases"`
}

// splitmix24 is the generator of gen_golden.py's large arrays.
func splitmix24(seed uint64, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		x := (seed + uint64(i) + 1) * 0x9E3779B97F4A7C15
		x ^= x >> 30
		x *= 0xBF58476D1CE4E5B9
		x ^= x >> 27
		x *= 0x94D049BB133111EB
		x ^= x >> 31
		out[i] = float32(int64(x>>40)-1<<23) / (1 << 18)
	}
	return out
}

func (g goldenArray) array() (*nd.Array, error) {
	n := 1
	for _, d := range g.Shape {
		n *= d
	}
	var data []float32
	switch {
	case g.Gen != nil:
		if g.Gen.Kind != "splitmix24" {
			return nil, fmt.Errorf("unknown generator %q", g.Gen.Kind)
		}
		data = splitmix24(g.Gen.Seed, n)
	default:
		if len(g.Data) != n {
			return nil, fmt.Errorf("shape %v needs %d values, got %d", g.Shape, n, len(g.Data))
		}
		data = make([]float32, n)
		for i, v := range g.Data {
			if v == nil {
				data[i] = float32(math.NaN())
				continue
			}
			f, err := strconv.ParseFloat(string(*v), 32)
			if err != nil {
				return nil, err
			}
			data[i] = float32(f)
		}
	}
	return nd.FromFloat32(data, g.Shape...)
}

func goldenArrays(l []goldenArray) ([]*nd.Array, error) {
	out := make([]*nd.Array, len(l))
	for i, g := range l {
		a, err := g.array()
		if err != nil {
			return nil, fmt.Errorf("array %d: %w", i, err)
		}
		out[i] = a
	}
	return out, nil
}

func goldenExpected(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var f goldenFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", goldenPath, err)
	}
	if len(f.Cases) == 0 {
		t.Fatalf("%s holds no cases", goldenPath)
	}
	return f.Cases
}

// goldenCounting lists the metrics whose values are ratios of counts: they
// must match to 1e-12 (the others, sums of logs, squares and products, to
// 1e-7).
var goldenCounting = map[string]bool{
	"acc": true, "top_k_acc": true, "f1": true, "mcc": true, "pcc": true, "accmetric": true,
}

func goldenTol(c goldenCase) float64 {
	if goldenCounting[c.Metric] {
		return 1e-12
	}
	return 1e-7
}

// goldenNear is a relative comparison (absolute when want is 0), NaN equal
// to NaN.
func goldenNear(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if want == 0 {
		return math.Abs(got) <= tol
	}
	return math.Abs(got-want) <= tol*math.Abs(want)
}

func sameFloat(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

// isMacroMean reports whether a case's value is a mean of per-call or
// per-pair values: merged shards then add the same terms in another order,
// so they agree to rounding, not bit for bit.
func isMacroMean(c goldenCase) bool {
	avg, _ := c.Args["average"].(string)
	switch c.Metric {
	case "f1", "mcc", "pearsonr":
		return avg == "" || avg == "macro"
	}
	return false
}

func firstValue(t *testing.T, what string, names []string, values []float64) float64 {
	t.Helper()
	if len(values) != 1 || len(names) != 1 {
		t.Fatalf("%s: want one value, got names %v values %v", what, names, values)
	}
	return values[0]
}

type goldenBatch struct{ labels, preds []*nd.Array }

func goldenBatches(t *testing.T, c goldenCase) []goldenBatch {
	t.Helper()
	out := make([]goldenBatch, len(c.Updates))
	for i, u := range c.Updates {
		l, err := goldenArrays(u.Labels)
		if err != nil {
			t.Fatalf("update %d labels: %v", i, err)
		}
		p, err := goldenArrays(u.Preds)
		if err != nil {
			t.Fatalf("update %d preds: %v", i, err)
		}
		out[i] = goldenBatch{l, p}
	}
	return out
}

// runGoldenCase checks one case sequentially and split into two merged
// shards. create builds a fresh metric; hasGlobal says whether it keeps
// global statistics apart from the local ones.
func runGoldenCase(t *testing.T, c goldenCase, create func() (metric.Metric, error), hasGlobal bool) {
	t.Helper()
	batches := goldenBatches(t, c)
	tol := goldenTol(c)
	wantLocal, wantGlobal := goldenExpected(c.ExpectedLocal), goldenExpected(c.ExpectedGlobal)

	// sequential
	m, err := create()
	if err != nil {
		t.Fatalf("Create(%q, %v): %v", c.Metric, c.Args, err)
	}
	for i, b := range batches {
		if err := m.Update(b.labels, b.preds); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		if c.ResetLocalAfter != nil && *c.ResetLocalAfter == i {
			m.ResetLocal()
		}
	}
	names, values := m.Get()
	gotLocal := firstValue(t, "Get", names, values)
	names, values = m.GetGlobal()
	gotGlobal := firstValue(t, "GetGlobal", names, values)
	if !goldenNear(gotLocal, wantLocal, tol) {
		t.Errorf("Get() = %.17g, want %.17g (rel tol %g)", gotLocal, wantLocal, tol)
	}
	if !goldenNear(gotGlobal, wantGlobal, tol) {
		t.Errorf("GetGlobal() = %.17g, want %.17g (rel tol %g)", gotGlobal, wantGlobal, tol)
	}

	// sharded: updates alternate between two metrics (no ResetLocal), then
	// merge. The global statistics are unaffected by ResetLocal, so the
	// merged global value must equal the sequential one; the merged local
	// value is checked only when the case has no ResetLocal.
	if c.ResetLocalAfter != nil && !hasGlobal {
		return // the expected "global" is a local value after a reset
	}
	shards := [2]metric.Metric{}
	for i := range shards {
		if shards[i], err = create(); err != nil {
			t.Fatalf("Create(%q, %v): %v", c.Metric, c.Args, err)
		}
	}
	for i, b := range batches {
		if err := shards[i%2].Update(b.labels, b.preds); err != nil {
			t.Fatalf("shard update %d: %v", i, err)
		}
	}
	st, err := shards[1].State()
	if err != nil {
		t.Fatalf("State: %v", err)
	}
	if err := shards[0].MergeState(st); err != nil {
		t.Fatalf("MergeState: %v", err)
	}
	merged := shards[0]
	names, values = merged.GetGlobal()
	mg := firstValue(t, "merged GetGlobal", names, values)
	if !goldenNear(mg, wantGlobal, tol) {
		t.Errorf("sharded+merged GetGlobal() = %.17g, want %.17g (rel tol %g)", mg, wantGlobal, tol)
	}
	exact := goldenCounting[c.Metric] && !isMacroMean(c)
	if exact && c.ResetLocalAfter == nil && !sameFloat(mg, gotGlobal) {
		t.Errorf("sharded+merged GetGlobal() = %.17g, sequential %.17g: want them exactly equal", mg, gotGlobal)
	}
	if c.ResetLocalAfter == nil {
		names, values = merged.Get()
		ml := firstValue(t, "merged Get", names, values)
		if !goldenNear(ml, wantLocal, tol) {
			t.Errorf("sharded+merged Get() = %.17g, want %.17g (rel tol %g)", ml, wantLocal, tol)
		}
		if exact && !sameFloat(ml, gotLocal) {
			t.Errorf("sharded+merged Get() = %.17g, sequential %.17g: want them exactly equal", ml, gotLocal)
		}
	}
}

// goldenArgs copies a case's arguments, so that no factory sees another
// run's map.
func goldenArgs(c goldenCase) metric.Args {
	a := metric.Args{}
	for k, v := range c.Args {
		a[k] = v
	}
	return a
}

// TestGolden runs every case. insightface's metrics keep no global
// statistics, like the originals, so their GetGlobal is the local value.
func TestGolden(t *testing.T) {
	ran := 0
	for _, c := range loadGolden(t) {
		ran++
		hasGlobal := c.Metric != "accmetric" && c.Metric != "lossvaluemetric"
		t.Run(c.Name, func(t *testing.T) {
			runGoldenCase(t, c, func() (metric.Metric, error) { return metric.Create(c.Metric, goldenArgs(c)) }, hasGlobal)
		})
	}
	if ran == 0 {
		t.Fatal("no golden cases")
	}
}
