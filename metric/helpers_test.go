package metric

import (
	"math"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

func f32(t testing.TB, rows [][]float32) *nd.Array {
	t.Helper()
	var flat []float32
	for _, r := range rows {
		flat = append(flat, r...)
	}
	c := 0
	if len(rows) > 0 {
		c = len(rows[0])
	}
	a, err := nd.FromFloat32(flat, len(rows), c)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func vec(t testing.TB, v ...float32) *nd.Array {
	t.Helper()
	a, err := nd.FromFloat32(v)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func list(a ...*nd.Array) []*nd.Array { return a }

func mustCreate(t testing.TB, v any, a Args) Metric {
	t.Helper()
	m, err := Create(v, a)
	if err != nil {
		t.Fatalf("Create(%v, %v): %v", v, a, err)
	}
	return m
}

func update(t testing.TB, m Metric, labels, preds []*nd.Array) {
	t.Helper()
	if err := m.Update(labels, preds); err != nil {
		t.Fatalf("%s.Update: %v", m.Name(), err)
	}
}

func value(m Metric) float64 {
	_, v := m.Get()
	return v[0]
}

func globalValue(m Metric) float64 {
	_, v := m.GetGlobal()
	return v[0]
}

// near reports |got-want| <= tol*max(1,|want|), NaN equal to NaN.
func near(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func wantValue(t testing.TB, m Metric, want, tol float64) {
	t.Helper()
	if got := value(m); !near(got, want, tol) {
		t.Errorf("%s = %.17g, want %.17g", m.Name(), got, want)
	}
}
