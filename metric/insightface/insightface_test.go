package insightface

import (
	"strings"
	"testing"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

func arr(t *testing.T, v []float32, shape ...int) *nd.Array {
	t.Helper()
	a, err := nd.FromFloat32(v, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Hand-worked: preds[1] rows argmax to 1, 0, 1; labels[0] column 0 is
// 1.7→1, 0, 0 → two of three correct. preds[0] and the loss are ignored.
func TestAccMetric(t *testing.T) {
	m := NewAccMetric()
	labels := []*nd.Array{arr(t, []float32{1.7, 9, 9, 0, 9, 9, 0, 9, 9}, 3, 3)}
	preds := []*nd.Array{arr(t, make([]float32, 6), 3, 2), arr(t, []float32{.2, .8, .6, .4, .1, .9}, 3, 2), arr(t, []float32{3}, 1)}
	if err := m.Update(labels, preds); err != nil {
		t.Fatal(err)
	}
	if n, v := m.Get(); n[0] != "acc" || v[0] != 2.0/3 {
		t.Errorf("Get = %v %v, want acc 2/3", n, v)
	}
	// No global statistics: ResetLocal clears what GetGlobal reports.
	m.ResetLocal()
	if _, v := m.GetGlobal(); v[0] == v[0] {
		t.Errorf("GetGlobal after ResetLocal = %v, want NaN (falls back to local)", v[0])
	}
	if err := m.Update(labels, preds[:1]); err == nil || !strings.Contains(err.Error(), "preds[1]") {
		t.Errorf("one prediction: %v", err)
	}
	if err := m.Update([]*nd.Array{arr(t, []float32{1, 0}, 2)}, preds); err == nil || !strings.Contains(err.Error(), "3 predicted classes") {
		t.Errorf("label count mismatch: %v", err)
	}
}

func TestLossValueMetric(t *testing.T) {
	m := NewLossValueMetric()
	for _, l := range []float32{2, 4, 9} {
		if err := m.Update(nil, []*nd.Array{arr(t, []float32{1}, 1), arr(t, []float32{l, 100}, 2)}); err != nil {
			t.Fatal(err)
		}
	}
	if n, v := m.Get(); n[0] != "lossvalue" || v[0] != 5 {
		t.Errorf("Get = %v %v, want lossvalue 5 (mean of first elements)", n, v)
	}
	if err := m.Update(nil, nil); err == nil {
		t.Error("no predictions: want an error")
	}
}

func TestRegisteredAndGlobalOption(t *testing.T) {
	m, err := metric.Create("AccMetric", metric.Args{"has_global_stats": true})
	if err != nil {
		t.Fatal(err)
	}
	labels := []*nd.Array{arr(t, []float32{1}, 1)}
	preds := []*nd.Array{arr(t, []float32{0}, 1), arr(t, []float32{0, 1}, 1, 2)}
	if err := m.Update(labels, preds); err != nil {
		t.Fatal(err)
	}
	m.ResetLocal()
	if _, v := m.GetGlobal(); v[0] != 1 {
		t.Errorf("with has_global_stats the epoch value survives ResetLocal: got %v", v[0])
	}
	cfg, err := m.Config()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := metric.Create(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c2, _ := m2.Config(); len(c2.Args) != len(cfg.Args) || m2.Name() != "acc" {
		t.Errorf("round trip: %+v vs %+v", c2, cfg)
	}
	if _, err := metric.Create("lossvaluemetric", metric.Args{"bogus": 1}); err == nil {
		t.Error("unknown argument: want an error")
	}
}
