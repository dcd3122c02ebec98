package metric

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Create builds a metric the way mx.metric.create does. v may be:
//   - a registered name ("acc", "top_k_acc", case-insensitive), built with
//     args;
//   - a JSON string: a config object ({"metric": "F1", "average": "micro"})
//     or MXNet's ["name", {kwargs}] form;
//   - a Config or a map[string]any with a "metric" key;
//   - a []any, []string, []Metric or []Config, which gives a new Composite
//     whose children are Create(child, args) (instances are shared, not
//     copied);
//   - an existing Metric, returned as it is (args must then be empty);
//   - a Go function, wrapped in a CustomMetric (see NewCustom): a FevalFunc,
//     a FevalSumFunc, or a plain func(label, pred *nd.Array) (float64, error)
//     or (float64, float64, error).
func Create(v any, args Args) (Metric, error) { return Default.Create(v, args) }

// Create builds a metric from v as the package-level Create does, looking
// names up in r (a composite's children too).
func (r *Registry) Create(v any, args Args) (Metric, error) {
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("metric: Create needs a metric, got nil")
	case Metric:
		if len(args) > 0 {
			return nil, fmt.Errorf("metric: %s is already an instance; additional arguments %v are invalid", x.Name(), cutShort(fmt.Sprint(keys(args))))
		}
		return x, nil
	case string:
		return r.createString(x, args)
	case Config:
		if len(args) > 0 {
			return nil, fmt.Errorf("metric: a config takes no additional arguments, got %v", cutShort(fmt.Sprint(keys(args))))
		}
		return r.createConfig(x)
	case *Config:
		return r.Create(*x, args)
	case map[string]any:
		return r.createMap(x, args)
	case []string:
		l := make([]any, len(x))
		for i := range x {
			l[i] = x[i]
		}
		return r.createList(l, args)
	case []Metric:
		l := make([]any, len(x))
		for i := range x {
			l[i] = x[i]
		}
		return r.createList(l, args)
	case []Config:
		l := make([]any, len(x))
		for i := range x {
			l[i] = x[i]
		}
		return r.createList(l, args)
	case []any:
		return r.createList(x, args)
	}
	if f, ok := asFeval(v); ok {
		return newCustomFromArgs(f, funcName(v), args)
	}
	return nil, fmt.Errorf("metric: cannot create a metric from %T (want a name, JSON, Config, list, Metric or func)", v)
}

// MustCreate is Create for literals known to be valid; it panics on error.
func MustCreate(v any, args Args) Metric {
	m, err := Create(v, args)
	if err != nil {
		panic(err)
	}
	return m
}

func keys(a Args) []string {
	out := make([]string, 0, len(a))
	for k := range a {
		out = append(out, k)
	}
	return out
}

func (r *Registry) createList(l []any, args Args) (Metric, error) {
	c := NewComposite(Options{})
	for i, child := range l {
		m, err := r.Create(child, args)
		if err != nil {
			return nil, fmt.Errorf("metric: list item %d: %w", i, err)
		}
		c.Add(m)
	}
	return c, nil
}

func (r *Registry) createString(s string, args Args) (Metric, error) {
	t := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(t, "["):
		if len(args) > 0 {
			return nil, fmt.Errorf("metric: a JSON spec takes no additional arguments")
		}
		var pair []json.RawMessage
		if err := json.Unmarshal([]byte(t), &pair); err != nil || len(pair) == 0 || len(pair) > 2 {
			return nil, fmt.Errorf("metric: JSON list spec must be [name, {kwargs}], got %s", abbreviate([]byte(t)))
		}
		var name string
		if err := json.Unmarshal(pair[0], &name); err != nil {
			return nil, fmt.Errorf("metric: JSON list spec must start with a name string, got %s", abbreviate(pair[0]))
		}
		kw := Args{}
		if len(pair) == 2 {
			v, err := decodeValue(pair[1])
			m, ok := v.(map[string]any)
			if err != nil || !ok {
				return nil, fmt.Errorf("metric: JSON list spec's second item must be an object, got %s", abbreviate(pair[1]))
			}
			kw = m
		}
		return r.createString(name, kw)
	case strings.HasPrefix(t, "{"):
		if len(args) > 0 {
			return nil, fmt.Errorf("metric: a JSON spec takes no additional arguments")
		}
		var c Config
		if err := json.Unmarshal([]byte(t), &c); err != nil {
			return nil, err
		}
		return r.createConfig(c)
	}
	f, err := r.lookup(t)
	if err != nil {
		return nil, err
	}
	if args == nil {
		args = Args{}
	}
	return f(r, args)
}

func (r *Registry) createMap(m map[string]any, extra Args) (Metric, error) {
	args := Args{}
	for k, v := range m {
		args[k] = v
	}
	for k, v := range extra {
		args[k] = v
	}
	name, ok := args["metric"]
	if !ok {
		return nil, fmt.Errorf("metric: a config map needs a \"metric\" key, got keys %v", cutShort(fmt.Sprint(keys(args))))
	}
	delete(args, "metric")
	switch n := name.(type) {
	case string:
		return r.createString(n, args)
	default:
		return r.Create(n, args)
	}
}

func (r *Registry) createConfig(c Config) (Metric, error) {
	if c.Metric == "" {
		return nil, fmt.Errorf("metric: config has no \"metric\" key")
	}
	args := Args{}
	for _, a := range c.Args {
		args[a.Key] = a.Value
	}
	if c.Name != "" {
		args["name"] = c.Name
	}
	if c.OutputNames != nil {
		args["output_names"] = c.OutputNames
	}
	if c.LabelNames != nil {
		args["label_names"] = c.LabelNames
	}
	if c.Metrics != nil {
		l := make([]any, len(c.Metrics))
		for i := range c.Metrics {
			l[i] = c.Metrics[i]
		}
		args["metrics"] = l
	}
	return r.createString(c.Metric, args)
}

// readOptions reads the arguments every metric takes.
func readOptions(r *argReader) Options {
	return Options{
		Name:        r.String("name", ""),
		OutputNames: r.Strings("output_names"),
		LabelNames:  r.Strings("label_names"),
	}
}
