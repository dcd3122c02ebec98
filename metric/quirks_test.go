package metric

// The quirks of MXNet 1.9.1's metric.py and its docstring examples, each
// with evalkit's decision (a row of docs/compatibility.md).

import (
	"math"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

func TestDocstringExamples(t *testing.T) {
	label, pred := vec(t, docLabel...), f32(t, docPred)
	f1 := mustCreate(t, "f1", nil)
	update(t, f1, list(label), list(pred))
	wantValue(t, f1, 0.8, 1e-15)

	// Perplexity with ignore_label None: exp(-(log .7 + log 1 + log .6)/3).
	pp := mustCreate(t, "perplexity", Args{"ignore_label": nil})
	update(t, pp, list(label), list(pred))
	wantValue(t, pp, math.Exp(-(math.Log(float64(float32(.3)))+math.Log(float64(float32(.6))))/3), 1e-12)
	wantValue(t, pp, 1.7710976153043518, 1e-7)

	ce := mustCreate(t, "ce", nil)
	update(t, ce, list(label), list(pred))
	wantValue(t, ce, 0.5715994760286423, 1e-7)

	rl := f32(t, [][]float32{{2.5}, {0}, {2}, {8}})
	rp := f32(t, [][]float32{{3}, {-0.5}, {2}, {7}})
	for name, want := range map[string]float64{"mae": 0.5, "mse": 0.375, "rmse": 0.6123724356957945} {
		t.Run(name, func(t *testing.T) {
			m := mustCreate(t, name, nil)
			update(t, m, list(rl), list(rp))
			wantValue(t, m, want, 1e-15)
		})
	}
	custom, err := Create(func(l, p *nd.Array) (float64, error) {
		var s float64
		for i := 0; i < l.Size(); i++ {
			s += l.Float(i) + p.Float(i)
		}
		return s / float64(l.Size()), nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	update(t, custom, list(rl), list(rp))
	wantValue(t, custom, 6.0, 1e-15)
	if custom.Name() != "custom(<func>)" {
		t.Errorf("anonymous custom metric name = %q, want custom(<func>)", custom.Name())
	}
	comp := mustCreate(t, []any{"acc", "f1"}, nil)
	update(t, comp, list(label), list(pred))
	names, vals := comp.Get()
	if strings.Join(names, ",") != "accuracy,f1" || vals[0] != 0.6666666666666666 || vals[1] != 0.8 {
		t.Errorf("composite = %v %v", names, vals)
	}
}

// The MCC docstring: 1000 FP, 1 TN, 1 FN, 10000 TP.
func TestMCCDocstring(t *testing.T) {
	var l, p []float32
	add := func(n int, label float32, pos bool) {
		for i := 0; i < n; i++ {
			l = append(l, label)
			if pos {
				p = append(p, .3, .7)
			} else {
				p = append(p, .7, .3)
			}
		}
	}
	add(1000, 0, true) // FP
	add(1, 0, false)   // TN
	add(1, 1, false)   // FN
	add(10000, 1, true)
	label, pred := vec(t, l...), nd.Must(nd.FromFloat32(p, len(l), 2))
	for name, want := range map[string]float64{"f1": 0.9523356030665205, "mcc": 0.01917751877733392, "pcc": 0.01917751877733392} {
		t.Run(name, func(t *testing.T) {
			m := mustCreate(t, name, nil)
			update(t, m, list(label), list(pred))
			wantValue(t, m, want, 1e-13)
		})
	}
}

func TestQuirkRegressionPerBatch(t *testing.T) {
	// Batch 1: two errors of 1; batch 2: six errors of 4.
	b1l, b1p := vec(t, 0, 0), vec(t, 1, 1)
	b2l, b2p := vec(t, 0, 0, 0, 0, 0, 0), vec(t, 4, 4, 4, 4, 4, 4)
	for _, c := range []struct {
		name       string
		batch, smp float64
	}{{"mae", 2.5, 3.25}, {"mse", 8.5, 12.25}, {"rmse", 2.5, 3.5}} {
		t.Run(c.name, func(t *testing.T) {
			batch := mustCreate(t, c.name, nil)
			sample := mustCreate(t, c.name, Args{"average": "sample"})
			for _, m := range []Metric{batch, sample} {
				update(t, m, list(b1l), list(b1p))
				update(t, m, list(b2l), list(b2p))
			}
			wantValue(t, batch, c.batch, 1e-15)
			wantValue(t, sample, c.smp, 1e-15)
		})
	}
}

func TestQuirkMAEBroadcast(t *testing.T) {
	// (2,) labels read as (2,1) broadcast against (2,2) preds, as in MXNet.
	m := mustCreate(t, "mae", nil)
	update(t, m, list(vec(t, 1, 2)), list(f32(t, [][]float32{{1, 3}, {0, 2}})))
	wantValue(t, m, (0+2+2+0)/4.0, 1e-15)
	if err := m.Update(list(vec(t, 1, 2, 3)), list(f32(t, [][]float32{{1, 3}, {0, 2}}))); err == nil ||
		!strings.Contains(err.Error(), "broadcast") {
		t.Errorf("(3,) vs (2,2): want a broadcast error, got %v", err)
	}
}

func TestQuirkF1Label2DFixed(t *testing.T) {
	// MXNet broadcasts an (N,1) label to N×N and reports 0.75; evalkit
	// flattens and reports the true F1 of perfect predictions, 1.0.
	m := mustCreate(t, "f1", nil)
	label := f32(t, [][]float32{{1}, {0}, {1}, {0}})
	pred := f32(t, [][]float32{{0, 1}, {1, 0}, {0, 1}, {1, 0}})
	update(t, m, list(label), list(pred))
	wantValue(t, m, 1.0, 0)
}

func TestQuirkBinaryOnly(t *testing.T) {
	m := mustCreate(t, "f1", nil)
	err := m.Update(list(vec(t, 0, 1, 2)), list(f32(t, docPred)))
	if err == nil || !strings.Contains(err.Error(), "binary") || !strings.Contains(err.Error(), "0, 1, 2, ...") {
		t.Errorf("three label values: got %v", err)
	}
	// Labels {0, 2}: accepted, all negative (no positives predicted → 0).
	m.Reset()
	update(t, m, list(vec(t, 0, 2)), list(f32(t, [][]float32{{.9, .1}, {.8, .2}})))
	wantValue(t, m, 0, 0)
	if err := m.Update(list(vec(t, 0, 1)), list(vec(t, .3, .7))); err == nil {
		t.Error("1-D predictions: want an error")
	}
}

func TestQuirkTopK(t *testing.T) {
	pred := f32(t, [][]float32{{.1, .5, .4}, {.2, .3, .5}})
	label := vec(t, 2, 0)
	// k above the class count is clamped (MXNet raises).
	m := mustCreate(t, "top_k_acc", Args{"top_k": 5})
	update(t, m, list(label), list(pred))
	wantValue(t, m, 1.0, 0)
	if m.Name() != "top_k_accuracy_5" {
		t.Errorf("name = %q", m.Name())
	}
	// k=2: row 0 top-2 = {1,2} holds 2; row 1 top-2 = {2,1} lacks 0.
	m2 := mustCreate(t, "top_k_accuracy", Args{"top_k": 2})
	update(t, m2, list(label), list(pred))
	wantValue(t, m2, 0.5, 0)
	wantValue(t, m2, globalValue(m2), 0)
	// 1-D predictions are rejected (MXNet never updates the global value).
	if err := m2.Update(list(vec(t, 0)), list(vec(t, .1, .9))); err == nil {
		t.Error("1-D predictions: want an error")
	}
	// top_k 1 is rejected, as in MXNet.
	if _, err := Create("top_k_acc", nil); err == nil || !strings.Contains(err.Error(), "Accuracy") {
		t.Errorf("top_k=1: got %v", err)
	}
	// Config round trip keeps the name (MXNet: top_k_accuracy_3_3).
	m3 := mustCreate(t, "top_k_acc", Args{"top_k": 3})
	cfg, _ := m3.Config()
	m4 := mustCreate(t, cfg, nil)
	if m4.Name() != "top_k_accuracy_3" {
		t.Errorf("round-trip name = %q", m4.Name())
	}
	// Ties: equal scores rank by lower index; NaN ranks first.
	tie := mustCreate(t, "top_k_acc", Args{"top_k": 2})
	update(t, tie, list(vec(t, 2, 0, 1)), list(f32(t, [][]float32{{.5, .5, .5}, {.5, .5, .5}, {float32(math.NaN()), .1, .9}})))
	wantValue(t, tie, 1.0/3, 1e-15) // row0: top2 {0,1} lacks 2; row1 holds 0; row2: {0(NaN),2} lacks 1
}

func TestQuirkPearsonMicroGlobal(t *testing.T) {
	m := mustCreate(t, "pearsonr", Args{"average": "micro"})
	a := vec(t, 1, 2, 3, 4)
	b := vec(t, 1, 3, 2, 5)
	update(t, m, list(a), list(b))
	g := globalValue(m)
	if g == 0 || math.IsNaN(g) {
		t.Fatalf("micro global = %v; MXNet's bug returns 0.0, evalkit the correlation", g)
	}
	wantValue(t, m, corrcoef([]float64{1, 3, 2, 5}, []float64{1, 2, 3, 4}), 1e-14)
	m.ResetLocal()
	if !math.IsNaN(value(m)) {
		t.Errorf("after ResetLocal: local = %v, want NaN", value(m))
	}
	update(t, m, list(b), list(a))
	// Local covers only the second update; global both.
	wantValue(t, m, corrcoef([]float64{1, 2, 3, 4}, []float64{1, 3, 2, 5}), 1e-14)
	want := corrcoef([]float64{1, 3, 2, 5, 1, 2, 3, 4}, []float64{1, 2, 3, 4, 1, 3, 2, 5})
	if got := globalValue(m); !near(got, want, 1e-14) {
		t.Errorf("global = %v, want %v", got, want)
	}
}

func TestQuirkPerplexityClipAndFloor(t *testing.T) {
	m := mustCreate(t, "perplexity", Args{"ignore_label": -1})
	// label 5 clips to column 1 (p=.25); label -1 is ignored; p=0 floors at 1e-10.
	update(t, m, list(vec(t, 5, -1, 0)), list(f32(t, [][]float32{{.75, .25}, {.5, .5}, {0, 1}})))
	wantValue(t, m, math.Exp((-math.Log(.25)-math.Log(1e-10))/2), 1e-12)
	if _, err := Create("perplexity", nil); err == nil || !strings.Contains(err.Error(), "ignore_label") {
		t.Errorf("perplexity without ignore_label: got %v", err)
	}
	// axis survives the config round trip (MXNet drops it).
	p0 := mustCreate(t, "perplexity", Args{"ignore_label": nil, "axis": 0})
	cfg, _ := p0.Config()
	if v, ok := cfg.Arg("axis"); !ok || v != 0 {
		t.Errorf("config axis = %v %v", v, ok)
	}
}

func TestQuirkCELabels(t *testing.T) {
	pred := f32(t, [][]float32{{.2, .8}, {.6, .4}})
	m := mustCreate(t, "ce", nil)
	update(t, m, list(vec(t, -1, 0)), list(pred)) // -1 wraps to the last column
	wantValue(t, m, -(math.Log(float64(float32(.8))+1e-12)+math.Log(float64(float32(.6))+1e-12))/2, 1e-14)
	if err := m.Update(list(vec(t, 2, 0)), list(pred)); err == nil || !strings.Contains(err.Error(), "out of bounds") {
		t.Errorf("label 2 of 2 classes: got %v", err)
	}
}

func TestQuirkAccuracySameShapeTruncates(t *testing.T) {
	m := mustCreate(t, "acc", nil)
	// Same shape: no argmax; 0.9→0, 1.7→1, -0.5→0, 2.7→2.
	update(t, m, list(vec(t, 0, 1, 0, 2)), list(vec(t, .9, 1.7, -.5, 2.7)))
	wantValue(t, m, 1, 0)
	m.Reset()
	// NaN wins the argmax; NaN labels never match.
	update(t, m, list(vec(t, 1, float32(math.NaN()))), list(f32(t, [][]float32{{1, float32(math.NaN()), 2}, {1, 0, 0}})))
	wantValue(t, m, 0.5, 0)
}

func TestCompositeGetMetric(t *testing.T) {
	c := mustCreate(t, []any{"acc", "f1"}, nil).(*Composite)
	if m, err := c.GetMetric(1); err != nil || m.Name() != "f1" {
		t.Errorf("GetMetric(1) = %v, %v", m, err)
	}
	if _, err := c.GetMetric(2); err == nil || !strings.Contains(err.Error(), "out of range 0 and 2") {
		t.Errorf("GetMetric(2): got %v", err)
	}
}
