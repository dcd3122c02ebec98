package metric

import (
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// Every name and alias MXNet 1.9.1 registers creates a metric with MXNet's display name.
func TestRegistryNames(t *testing.T) {
	cases := []struct {
		name string
		args Args
		want string
	}{
		{"composite", nil, "composite"}, {"compositeevalmetric", nil, "composite"},
		{"acc", nil, "accuracy"}, {"accuracy", nil, "accuracy"}, {"ACC", nil, "accuracy"},
		{"topkaccuracy", Args{"top_k": 3}, "top_k_accuracy_3"}, {"top_k_accuracy", Args{"top_k": 3}, "top_k_accuracy_3"},
		{"top_k_acc", Args{"top_k": 3}, "top_k_accuracy_3"}, {"TopKAccuracy", Args{"top_k": 3}, "top_k_accuracy_3"},
		{"f1", nil, "f1"}, {"mcc", nil, "mcc"}, {"perplexity", Args{"ignore_label": -1}, "perplexity"},
		{"mae", nil, "mae"}, {"mse", nil, "mse"}, {"rmse", nil, "rmse"},
		{"ce", nil, "cross-entropy"}, {"crossentropy", nil, "cross-entropy"},
		{"nll_loss", nil, "nll-loss"}, {"negativeloglikelihood", nil, "nll-loss"},
		{"pearsonr", nil, "pearsonr"}, {"pearsoncorrelation", nil, "pearsonr"}, {"pcc", nil, "pcc"},
		{"loss", nil, "loss"}, {"torch", nil, "torch"}, {"caffe", nil, "caffe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustCreate(t, c.name, c.args)
			if m.Name() != c.want {
				t.Errorf("Create(%q).Name() = %q, want %q", c.name, m.Name(), c.want)
			}
		})
	}
}

func TestCreateErrors(t *testing.T) {
	for _, c := range []struct {
		v    any
		args Args
		want string
	}{
		{"custom", nil, "not registered (known: "},
		{"cross-entropy", nil, "not registered"},
		{"acc", Args{"axis": "x"}, "axis must be an integer"},
		{"acc", Args{"bogus": 1}, "unexpected argument(s) bogus"},
		{"f1", Args{"average": "weighted"}, `average must be "macro" or "micro"`},
		{42, nil, "cannot create a metric from int"},
		{`{"name": "x"}`, nil, `no "metric" key`},
		{`["acc", 3]`, nil, "second item must be an object"},
		{map[string]any{"axis": 1}, nil, `needs a "metric" key`},
		{[]any{"acc", "nope"}, nil, "list item 1"},
		{"custommetric", nil, "needs a feval"},
	} {
		t.Run(c.want, func(t *testing.T) {
			_, err := Create(c.v, c.args)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Create(%v, %v) error = %v, want it to contain %q", c.v, c.args, err, c.want)
			}
		})
	}
	// The unknown-name error lists the known names.
	_, err := Create("nope", nil)
	for _, n := range []string{"acc", "top_k_acc", "pcc", "nll_loss"} {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("unknown-name error %q lacks %q", err, n)
		}
	}
}

func TestCreateForms(t *testing.T) {
	acc := mustCreate(t, "acc", nil)
	// An instance comes back as it is; with arguments it is an error.
	if m := mustCreate(t, acc, nil); m != acc {
		t.Error("Create(instance) returned a different metric")
	}
	if _, err := Create(acc, Args{"axis": 0}); err == nil || !strings.Contains(err.Error(), "already an instance") {
		t.Errorf("Create(instance, args): %v", err)
	}
	// A list builds a new composite sharing the instances.
	c := mustCreate(t, []Metric{acc}, nil).(*Composite)
	if got, _ := c.GetMetric(0); got != acc {
		t.Error("composite copied its child")
	}
	// Arguments go to every child of a list.
	c2 := mustCreate(t, []any{"mae", "mse"}, Args{"average": "sample"}).(*Composite)
	for _, ch := range c2.Metrics() {
		if cfg, _ := ch.Config(); len(cfg.Args) != 1 {
			t.Errorf("%s did not get the shared argument: %+v", ch.Name(), cfg)
		}
	}
	// JSON list and object forms, and a config map.
	for _, v := range []any{`["top_k_acc", {"top_k": 4}]`, `{"metric": "TopKAccuracy", "top_k": 4}`, map[string]any{"metric": "top_k_acc", "top_k": 4}} {
		if m := mustCreate(t, v, nil); m.Name() != "top_k_accuracy_4" {
			t.Errorf("Create(%v) = %s", v, m.Name())
		}
	}
	// Custom metrics: the (sum, count) form and a named function.
	m := mustCreate(t, FevalSumFunc(func(l, p *nd.Array) (float64, float64, error) { return 3, 2, nil }), nil)
	update(t, m, list(vec(t, 1)), list(vec(t, 1)))
	wantValue(t, m, 1.5, 0)
	named := mustCreate(t, namedFeval, nil)
	if named.Name() != "namedFeval" {
		t.Errorf("named feval = %q", named.Name())
	}
	if _, err := named.Config(); err == nil || !strings.Contains(err.Error(), "cannot be serialized") {
		t.Errorf("custom Config: %v", err)
	}
	reg := mustCreate(t, "custommetric", Args{"feval": namedFeval, "name": "mine"})
	if reg.Name() != "mine" {
		t.Errorf("custommetric name = %q", reg.Name())
	}
}

func namedFeval(l, p *nd.Array) (float64, error) { return 1, nil }

func TestRegisterAlias(t *testing.T) {
	reg := NewRegistry()
	reg.MustRegister("test_always_one", func(a Args) (Metric, error) {
		return NewCustom(namedFeval, "one", false, Options{})
	})
	if err := reg.Alias("test_always_one", "test_one_alias"); err != nil {
		t.Fatal(err)
	}
	m, err := reg.Create("TEST_ONE_ALIAS", nil)
	if err != nil || m.Name() != "one" {
		t.Errorf("alias created %v, %v", m, err)
	}
	if err := reg.Alias("no_such_metric", "x"); err == nil {
		t.Error("Alias of an unknown name: want an error")
	}
	if _, err := Create("test_always_one", nil); err == nil {
		t.Error("a test registry's metric leaked into Default")
	}
}

// TestRegistryDuplicate: registering a taken name (or alias) is an error
// and keeps the first factory.
func TestRegistryDuplicate(t *testing.T) {
	reg := NewRegistry()
	one := func(Args) (Metric, error) { return NewCustom(namedFeval, "one", false, Options{}) }
	two := func(Args) (Metric, error) { return NewCustom(namedFeval, "two", false, Options{}) }
	if err := reg.Register("m", one); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"same name", func() error { return reg.Register("m", two) }},
		{"other case", func() error { return reg.Register(" M ", two) }},
		{"alias onto a taken name", func() error { _ = reg.Register("n", two); return reg.Alias("n", "m") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.do(); err == nil || !strings.Contains(err.Error(), `"m" is already registered`) {
				t.Errorf("error %v, want \"m\" is already registered", err)
			}
			if m, err := reg.Create("m", nil); err != nil || m.Name() != "one" {
				t.Errorf("m now builds %v, %v; want the first factory", m, err)
			}
		})
	}
	if err := Register("acc", one); err == nil {
		t.Error("Default accepted a second \"acc\"")
	}
}

// TestRegistryComposite: a composite built through a registry takes its
// children from that registry.
func TestRegistryComposite(t *testing.T) {
	reg := NewRegistry()
	reg.MustRegister("one", func(Args) (Metric, error) { return NewCustom(namedFeval, "one", false, Options{}) })
	if _, err := reg.Create(`{"metric": "composite", "metrics": [{"metric": "one"}]}`, nil); err == nil ||
		!strings.Contains(err.Error(), "not registered") {
		t.Errorf("composite in a registry without it: %v", err)
	}
	reg = Default.Clone()
	reg.MustRegister("one", func(Args) (Metric, error) { return NewCustom(namedFeval, "one", false, Options{}) })
	c, err := reg.Create(`{"metric": "composite", "metrics": [{"metric": "one"}]}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if names, _ := c.Get(); len(names) != 1 || names[0] != "one" {
		t.Errorf("children %v", names)
	}
	if _, err := Create(`{"metric": "composite", "metrics": [{"metric": "one"}]}`, nil); err == nil {
		t.Error("Default built a child only the test registry has")
	}
}

func TestUpdateDict(t *testing.T) {
	m := mustCreate(t, "acc", Args{"output_names": []any{"softmax_output"}, "label_names": []string{"softmax_label"}})
	labels := Named{Names: []string{"softmax_label"}, Arrays: list(vec(t, docLabel...))}
	preds := Named{Names: []string{"fc1_output", "softmax_output"}, Arrays: list(vec(t, 1, 2, 3), f32(t, docPred))}
	if err := m.UpdateDict(labels, preds); err != nil {
		t.Fatal(err)
	}
	wantValue(t, m, 2.0/3, 1e-15)
	bad := Named{Names: []string{"other"}, Arrays: list(vec(t, 1))}
	if err := m.UpdateDict(labels, bad); err == nil || !strings.Contains(err.Error(), `no output named "softmax_output"`) {
		t.Errorf("missing output: %v", err)
	}
	// A composite filters by its own names, then each child by its own.
	c := NewComposite(Options{OutputNames: []string{"softmax_output"}}, mustCreate(t, "acc", nil))
	if err := c.UpdateDict(labels, preds); err != nil {
		t.Fatal(err)
	}
	if _, v := c.Get(); v[0] != 2.0/3 {
		t.Errorf("composite UpdateDict = %v", v)
	}
}

func TestShapeErrorsNameBothShapes(t *testing.T) {
	pred := f32(t, docPred)
	for _, name := range []string{"acc", "ce", "nll_loss", "f1", "mcc"} {
		m := mustCreate(t, name, nil)
		err := m.Update(list(vec(t, 0, 1)), list(pred))
		if err == nil || !strings.Contains(err.Error(), "(2,)") || !strings.Contains(err.Error(), "(3, 2)") {
			t.Errorf("%s: error %v should name (2,) and (3, 2)", name, err)
		}
		err = m.Update(list(vec(t, 0, 1, 1)), list(pred, pred))
		if err == nil || !strings.Contains(err.Error(), "shape of labels 1 does not match shape of predictions 2") {
			t.Errorf("%s: list-length error = %v", name, err)
		}
	}
	if err := mustCreate(t, "pearsonr", nil).Update(list(vec(t, 1, 2, 3)), list(f32(t, [][]float32{{1}, {2}, {3}}))); err == nil ||
		!strings.Contains(err.Error(), "(3,) does not match shape of predictions (3, 1)") {
		t.Errorf("pearsonr shape error = %v", err)
	}
}
