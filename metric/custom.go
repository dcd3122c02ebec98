package metric

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/evalkit/evalkit/nd"
)

// FevalFunc computes a metric value for one (label, pred) pair; the value is
// added to the sum and the count grows by one. Note the order: label first,
// as MXNet's feval.
type FevalFunc func(label, pred *nd.Array) (float64, error)

// FevalSumFunc computes a (sum, count) pair for one (label, pred) pair, the
// tuple form of MXNet's feval.
type FevalSumFunc func(label, pred *nd.Array) (sum, num float64, err error)

// CustomMetric is MXNet's CustomMetric ("custommetric"): a metric from a Go
// function. With AllowExtraOutputs the label and prediction lists may
// differ in length and the extra entries are ignored (for recurrent nets).
// It has global statistics, and its state merges, but its Config fails:
// a Go function cannot be serialised.
type CustomMetric struct {
	Base
	feval      FevalSumFunc
	allowExtra bool
}

// NewCustom wraps feval, a FevalFunc or a FevalSumFunc (or a plain function of
// either signature). An empty name is taken from the function's name, or
// "custom(<func>)" for an anonymous function.
func NewCustom(feval any, name string, allowExtraOutputs bool, o Options) (*CustomMetric, error) {
	f, ok := asFeval(feval)
	if !ok {
		return nil, fmt.Errorf("metric custom: feval must be func(label, pred *nd.Array) (float64, error) or (sum, num float64, err error), got %T", feval)
	}
	if name == "" {
		name = funcName(feval)
	}
	if o.Name == "" {
		o.Name = name
	}
	m := &CustomMetric{feval: f, allowExtra: allowExtraOutputs}
	m.Init(m, "CustomMetric", name, o, true, Arg{"allow_extra_outputs", allowExtraOutputs})
	return m, nil
}

func asFeval(v any) (FevalSumFunc, bool) {
	switch f := v.(type) {
	case FevalSumFunc:
		return f, f != nil
	case func(label, pred *nd.Array) (float64, float64, error):
		return f, f != nil
	case FevalFunc:
		return wrapFeval(f), f != nil
	case func(label, pred *nd.Array) (float64, error):
		return wrapFeval(f), f != nil
	}
	return nil, false
}

func wrapFeval(f func(label, pred *nd.Array) (float64, error)) FevalSumFunc {
	return func(l, p *nd.Array) (float64, float64, error) {
		v, err := f(l, p)
		return v, 1, err
	}
}

// funcName is the Go counterpart of feval.__name__: the function's own name,
// or "custom(<func>)" for a closure (MXNet: "custom(<lambda>)").
func funcName(v any) string {
	fn := runtime.FuncForPC(funcPC(v))
	if fn == nil {
		return "custom(<func>)"
	}
	full := fn.Name()
	short := full[strings.LastIndex(full, ".")+1:]
	if strings.HasPrefix(short, "func") || short == "" || strings.ContainsAny(short, "-") {
		return "custom(<func>)"
	}
	return short
}

// Update calls feval on every pair and adds the results.
func (m *CustomMetric) Update(labels, preds []*nd.Array) error {
	if !m.allowExtra {
		if err := checkLists(m.name, labels, preds); err != nil {
			return err
		}
	}
	var sum, num float64
	for i := 0; i < min(len(labels), len(preds)); i++ {
		s, n, err := m.feval(labels[i], preds[i])
		if err != nil {
			return fmt.Errorf("metric %s: pair %d: %w", m.name, i, err)
		}
		sum += s
		num += n
	}
	m.Add(sum, num)
	return nil
}

// Config fails: a Go function cannot be serialised (MXNet raises
// NotImplementedError).
func (m *CustomMetric) Config() (Config, error) {
	return Config{}, fmt.Errorf("metric %s: CustomMetric cannot be serialized", m.name)
}

func newCustomFromArgs(f FevalSumFunc, name string, a Args) (Metric, error) {
	r := newArgReader("custommetric", a)
	allow := r.Bool("allow_extra_outputs", false)
	o := readOptions(r)
	if err := r.Done(); err != nil {
		return nil, err
	}
	return NewCustom(f, name, allow, o)
}

func init() {
	MustRegister("custommetric", func(a Args) (Metric, error) {
		fv, ok := a["feval"]
		if !ok {
			return nil, fmt.Errorf("metric custommetric: needs a feval Go function (it cannot come from a name or JSON)")
		}
		f, ok := asFeval(fv)
		if !ok {
			return nil, fmt.Errorf("metric custommetric: feval must be a Go function, got %T", fv)
		}
		rest := Args{}
		for k, v := range a {
			if k != "feval" {
				rest[k] = v
			}
		}
		return newCustomFromArgs(f, funcName(fv), rest)
	})
}
