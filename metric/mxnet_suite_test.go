package metric

// The cases of MXNet 1.9.1's tests/python/unittest/test_metric.py
// with the values that suite asserts.

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

var (
	docPred  = [][]float32{{0.3, 0.7}, {0, 1}, {0.4, 0.6}}
	docLabel = []float32{0, 1, 1}
)

func TestMXNetAcc(t *testing.T) {
	m := mustCreate(t, "acc", nil)
	update(t, m, list(vec(t, docLabel...)), list(f32(t, docPred)))
	if got := value(m); got != 0.6666666666666666 {
		t.Fatalf("acc = %v, want 0.6666666666666666", got)
	}
	if s := Format(m); s != "EvalMetric: {'accuracy': 0.6666666666666666}" {
		t.Errorf("String = %q", s)
	}
}

func TestMXNetAcc2DLabel(t *testing.T) {
	m := mustCreate(t, "acc", nil)
	pred := f32(t, [][]float32{{.3, .7}, {0, 1}, {.4, .6}, {.8, .2}, {.3, .5}, {.6, .4}})
	label := f32(t, [][]float32{{0, 1, 1}, {1, 0, 1}})
	update(t, m, list(label), list(pred))
	if got := value(m); got != 0.3333333333333333 {
		t.Fatalf("acc = %v, want 1/3", got)
	}
}

func TestMXNetLossUpdate(t *testing.T) {
	m := mustCreate(t, "loss", nil)
	update(t, m, nil, list(f32(t, docPred)))
	// The float32 inputs sum to 3.0000000298 exactly; MXNet's float32
	// reduction rounds that to 3.0 (0.5), evalkit accumulates in float64.
	wantValue(t, m, 0.5, 1e-8)
	wantValue(t, m, (float64(float32(.3))+float64(float32(.7))+1+float64(float32(.4))+float64(float32(.6)))/6, 1e-15)
}

func TestMXNetNLLLoss(t *testing.T) {
	m := mustCreate(t, "nll_loss", nil)
	update(t, m, list(vec(t, 2, 1)), list(f32(t, [][]float32{{.2, .3, .5}, {.6, .1, .3}})))
	// float64 of the float32 inputs: -(log .5 + log float32(.1))/2.
	want := -(math.Log(0.5+1e-12) + math.Log(float64(float32(0.1))+1e-12)) / 2
	wantValue(t, m, want, 1e-12)
	wantValue(t, m, 1.497866153717041, 1e-6) // MXNet's float32 result
}

func f1Data(t *testing.T) (l1, l2, p1a, p1b, p2a, p2b *nd.Array) {
	return vec(t, 1, 0), vec(t, 1, 0),
		f32(t, [][]float32{{.1, .9}, {.5, .5}}), f32(t, [][]float32{{.85, .15}, {1, 0}}),
		f32(t, [][]float32{{.6, .4}}), f32(t, [][]float32{{.2, .8}})
}

func TestMXNetF1(t *testing.T) {
	micro := mustCreate(t, "f1", Args{"average": "micro"})
	macro := mustCreate(t, "f1", Args{"average": "macro"})
	for _, m := range []Metric{micro, macro} {
		if !math.IsNaN(value(m)) {
			t.Errorf("%v empty: want NaN", m)
		}
		update(t, m, list(vec(t, 0, 0)), list(f32(t, [][]float32{{.9, .1}, {.8, .2}})))
		if value(m) != 0 {
			t.Errorf("all-negative data: want 0, got %v", value(m))
		}
		m.Reset()
	}
	l1, l2, p1a, p1b, p2a, p2b := f1Data(t)
	for _, m := range []Metric{micro, macro} {
		update(t, m, list(l1, l2), list(p1a, p1b))
	}
	wantValue(t, micro, 2.0/3, 1e-15)
	wantValue(t, macro, 2.0/3, 1e-15)
	for _, m := range []Metric{micro, macro} {
		update(t, m, list(vec(t, 0), vec(t, 1)), list(p2a, p2b))
	}
	if got := value(micro); got != 0.8000000000000002 {
		t.Errorf("micro after call 2 = %.17g, want 0.8000000000000002", got)
	}
	if got := value(macro); got != 0.8333333333333333 {
		t.Errorf("macro after call 2 = %.17g, want 0.8333333333333333", got)
	}
	st, _ := macro.State()
	var s Stats
	_ = json.Unmarshal(st.Local, &s)
	if s.Num != 2 {
		t.Errorf("macro num_inst = %v, want 2 (update calls)", s.Num)
	}
	st, _ = micro.State()
	var c binaryCounts
	_ = json.Unmarshal(st.Local, &c)
	if c.total() != 6 {
		t.Errorf("micro num_inst = %v, want 6 (samples)", c.total())
	}
}

func TestMXNetMCC(t *testing.T) {
	micro := mustCreate(t, "mcc", Args{"average": "micro"})
	macro := mustCreate(t, "mcc", nil)
	l1, l2, p1a, p1b, p2a, p2b := f1Data(t)
	for _, m := range []Metric{micro, macro} {
		update(t, m, list(l1, l2), list(p1a, p1b))
		wantValue(t, m, 0.5773502691896258, 1e-15)
	}
	for _, m := range []Metric{micro, macro} {
		update(t, m, list(vec(t, 0), vec(t, 1)), list(p2a, p2b))
	}
	wantValue(t, micro, 0.7071067811865476, 1e-15)
	wantValue(t, macro, 0.7886751345948129, 1e-15)
}

func TestMXNetPerplexity(t *testing.T) {
	m := mustCreate(t, "perplexity", Args{"ignore_label": -1})
	update(t, m, list(vec(t, 0, 1, 1)), list(f32(t, [][]float32{{.8, .2}, {.2, .8}, {0, 1}})))
	// exp(-(log .8 + log .8 + log 1)/3) with float32(.8).
	p := float64(float32(0.8))
	wantValue(t, m, math.Exp(-(2*math.Log(p))/3), 1e-12)
	wantValue(t, m, 1.1603971941364903, 1e-6)
}

func TestMXNetPearsonr(t *testing.T) {
	macro := mustCreate(t, "pearsonr", nil)
	micro := mustCreate(t, "pearsonr", Args{"average": "micro"})
	for _, m := range []Metric{macro, micro} {
		if !math.IsNaN(value(m)) {
			t.Errorf("empty %s: want NaN", m.Name())
		}
	}
	label := f32(t, [][]float32{{1, 0}, {0, 1}, {0, 1}})
	pred := f32(t, docPred)
	for _, m := range []Metric{macro, micro} {
		update(t, m, list(label), list(pred))
		wantValue(t, m, 0.4216370454401618, 1e-12)
	}
	macro.Reset()
	pred2 := f32(t, [][]float32{{1, 2}, {3, 2}, {4, 6}})
	update(t, micro, list(label), list(pred2))
	label6 := f32(t, [][]float32{{1, 0}, {0, 1}, {0, 1}, {1, 0}, {0, 1}, {0, 1}})
	pred6 := f32(t, [][]float32{{.3, .7}, {0, 1}, {.4, .6}, {1, 2}, {3, 2}, {4, 6}})
	update(t, macro, list(label6), list(pred6))
	wantValue(t, macro, 0.03884227673048759, 1e-7)
	wantValue(t, micro, 0.03884227673048758, 1e-7)
	if !near(value(macro), value(micro), 1e-12) {
		t.Errorf("macro over concatenation %v != micro over two updates %v", value(macro), value(micro))
	}
}

// cmBatch is the suite's cm_batch: cm[i][j] samples of label i with a
// one-hot prediction j.
func cmBatch(t *testing.T, cm [][]int) (label, pred *nd.Array) {
	k := len(cm)
	var l []float32
	var p []float32
	for i := range cm {
		for j := range cm[i] {
			for n := 0; n < cm[i][j]; n++ {
				l = append(l, float32(i))
				row := make([]float32, k)
				row[j] = 1
				p = append(p, row...)
			}
		}
	}
	return nd.Must(nd.FromFloat32(l)), nd.Must(nd.FromFloat32(p, len(l), k))
}

func TestMXNetPCC(t *testing.T) {
	label, pred := cmBatch(t, [][]int{{7, 3}, {2, 5}})
	pcc := mustCreate(t, "pcc", nil)
	mcc := mustCreate(t, "mcc", nil)
	pr := mustCreate(t, "pearsonr", nil)
	update(t, pcc, list(label), list(pred))
	update(t, mcc, list(label), list(pred))
	idx, _, _ := nd.ArgMax(pred, 1, nil)
	am := make([]float32, len(idx))
	for i, v := range idx {
		am[i] = float32(v)
	}
	update(t, pr, list(label), list(vec(t, am...)))
	wantValue(t, pcc, 0.408491223118783, 1e-14)
	wantValue(t, mcc, value(pcc), 1e-14)
	wantValue(t, pr, value(pcc), 1e-14)
	// argmax predictions of the label's shape give the same.
	pcc2 := mustCreate(t, "pcc", nil)
	update(t, pcc2, list(label), list(vec(t, am...)))
	wantValue(t, pcc2, value(pcc), 0)

	label, pred = cmBatch(t, [][]int{{23, 13, 3}, {7, 19, 11}, {2, 5, 17}})
	multi := mustCreate(t, "pcc", nil)
	update(t, multi, list(label), list(pred))
	wantValue(t, multi, 0.38529463994285484, 1e-14)
	// One sample per update, in reverse order: exactly equal.
	rev := mustCreate(t, "pcc", nil)
	for i := label.Len() - 1; i >= 0; i-- {
		l, _ := label.Slice(i, i+1)
		p, _ := pred.Slice(i, i+1)
		update(t, rev, list(l), list(p))
	}
	if value(rev) != value(multi) {
		t.Errorf("per-sample reversed PCC %.17g != batch %.17g", value(rev), value(multi))
	}
}

func TestMXNetSingleArrayInput(t *testing.T) {
	pred := f32(t, [][]float32{{1, 2, 3, 4}})
	label := f32(t, [][]float32{{1.1, 2.1, 3.1, 4.1}})
	for name, want := range map[string]float64{"mse": 0.01, "mae": 0.1, "rmse": 0.1} {
		t.Run(name, func(t *testing.T) {
			m := mustCreate(t, name, nil)
			update(t, m, list(label), list(pred))
			wantValue(t, m, want, 1e-6)
		})
	}
}

// TestMXNetConfigs is test_metrics: each config round-trips through Create,
// and the JSON matches MXNet's get_config for the defaults.
func TestMXNetConfigs(t *testing.T) {
	cases := []struct {
		v    any
		args Args
		json string
	}{
		{"acc", Args{"axis": 0}, `{"axis": 0, "metric": "Accuracy", "name": "accuracy", "output_names": null, "label_names": null}`},
		{"f1", nil, `{"metric": "F1", "name": "f1", "output_names": null, "label_names": null}`},
		{"mcc", nil, `{"metric": "MCC", "name": "mcc", "output_names": null, "label_names": null}`},
		{"perplexity", Args{"ignore_label": -1}, `{"ignore_label": -1, "metric": "Perplexity", "name": "perplexity", "output_names": null, "label_names": null}`},
		{"pearsonr", nil, `{"metric": "PearsonCorrelation", "name": "pearsonr", "output_names": null, "label_names": null}`},
		{"pcc", nil, `{"metric": "PCC", "name": "pcc", "output_names": null, "label_names": null}`},
		{"nll_loss", nil, `{"eps": 1e-12, "metric": "NegativeLogLikelihood", "name": "nll-loss", "output_names": null, "label_names": null}`},
		{"loss", nil, `{"metric": "Loss", "name": "loss", "output_names": null, "label_names": null}`},
		{[]any{"acc", "f1"}, nil, `{"metric": "CompositeEvalMetric", "name": "composite", "output_names": null, "label_names": null, "metrics": [{"axis": 1, "metric": "Accuracy", "name": "accuracy", "output_names": null, "label_names": null}, {"metric": "F1", "name": "f1", "output_names": null, "label_names": null}]}`},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.v), func(t *testing.T) {
			m := mustCreate(t, c.v, c.args)
			cfg, err := m.Config()
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, b, []byte(c.json)) {
				t.Errorf("%v config = %s\nwant %s", c.v, b, c.json)
			}
			m2 := mustCreate(t, string(b), nil)
			cfg2, _ := m2.Config()
			b2, _ := json.Marshal(cfg2)
			if string(b2) != string(b) {
				t.Errorf("%v round trip: %s != %s", c.v, b2, b)
			}
		})
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}
