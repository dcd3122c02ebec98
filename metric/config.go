package metric

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Arg is one constructor argument, kept in order for Config.
type Arg struct {
	Key   string
	Value any
}

// Config is what MXNet's get_config returns: the metric's class name, its
// display name, its output and label selections, its constructor arguments
// in order and, for a composite, its children. Its JSON form puts the
// arguments first, then metric, name, output_names and label_names, as MXNet
// does, and Create accepts it back.
type Config struct {
	Metric      string
	Name        string
	OutputNames []string
	LabelNames  []string
	Args        []Arg
	Metrics     []Config
}

// Arg returns the value of argument key and whether it is set.
func (c Config) Arg(key string) (any, bool) {
	for _, a := range c.Args {
		if a.Key == key {
			return a.Value, true
		}
	}
	return nil, false
}

// MarshalJSON writes the config in MXNet's key order.
func (c Config) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	put := func(k string, v any) error {
		if !first {
			b.WriteString(", ")
		}
		first = false
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteString(": ")
		vb, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("metric: config %s: %w", k, err)
		}
		b.Write(vb)
		return nil
	}
	for _, a := range c.Args {
		if err := put(a.Key, a.Value); err != nil {
			return nil, err
		}
	}
	_ = put("metric", c.Metric)
	_ = put("name", c.Name)
	_ = put("output_names", c.OutputNames)
	_ = put("label_names", c.LabelNames)
	if c.Metrics != nil {
		if err := put("metrics", c.Metrics); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a config object, keeping argument order.
func (c *Config) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("metric: config: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("metric: config must be a JSON object, got %s", abbreviate(data))
	}
	*c = Config{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return fmt.Errorf("metric: config: %w", err)
		}
		key := kt.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("metric: config key %s: %w", quoteShort(key), err)
		}
		if err := c.setKey(key, raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("metric: config: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("metric: config: trailing data after the object")
	}
	return nil
}

func (c *Config) setKey(key string, raw json.RawMessage) error {
	var err error
	switch key {
	case "metric":
		err = json.Unmarshal(raw, &c.Metric)
	case "name":
		err = json.Unmarshal(raw, &c.Name)
	case "output_names":
		err = json.Unmarshal(raw, &c.OutputNames)
	case "label_names":
		err = json.Unmarshal(raw, &c.LabelNames)
	case "metrics":
		err = json.Unmarshal(raw, &c.Metrics)
	default:
		var v any
		if v, err = decodeValue(raw); err == nil {
			c.Args = append(c.Args, Arg{key, v})
		}
	}
	if err != nil {
		return fmt.Errorf("metric: config key %s: %w", quoteShort(key), err)
	}
	return nil
}

// decodeValue decodes a JSON value, turning integral numbers into int64 and
// others into float64.
func decodeValue(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return normalizeNumbers(v), nil
}

func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = normalizeNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalizeNumbers(x[k])
		}
	}
	return v
}

func abbreviate(b []byte) string { return quoteShort(strings.TrimSpace(string(b))) }

// quoteShort quotes s for an error message, cut after quoteMax bytes (at a
// character boundary) with the full length said, so that a huge
// user-supplied value cannot flood the message.
func quoteShort(s string) string {
	head := shortHead(s)
	if len(head) == len(s) {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(head), len(s))
}

// cutShort is quoteShort without the quotes.
func cutShort(s string) string {
	head := shortHead(s)
	if len(head) == len(s) {
		return s
	}
	return fmt.Sprintf("%s... (%d bytes)", head, len(s))
}

// shortHead returns s, or its first quoteMax bytes cut at a character
// boundary.
func shortHead(s string) string {
	if len(s) <= quoteMax {
		return s
	}
	cut := quoteMax
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

const quoteMax = 60

// Args are constructor arguments by key, as Python's **kwargs.
type Args map[string]any

// argReader reads typed arguments and reports unknown ones.
type argReader struct {
	metric string
	args   Args
	used   map[string]bool
	asked  []string
	err    error
}

func newArgReader(metric string, a Args) *argReader {
	return &argReader{metric: metric, args: a, used: map[string]bool{}}
}

func (r *argReader) fail(key string, want string, v any) {
	if r.err == nil {
		r.err = fmt.Errorf("metric %s: argument %s must be %s, got %T %s", r.metric, key, want, v, quoteShort(fmt.Sprint(v)))
	}
}

func (r *argReader) lookup(key string) (any, bool) {
	r.asked = append(r.asked, key)
	v, ok := r.args[key]
	if ok {
		r.used[key] = true
	}
	return v, ok
}

// Has reports whether key was given.
func (r *argReader) Has(key string) bool { _, ok := r.args[key]; return ok }

func (r *argReader) Int(key string, def int) int {
	v, ok := r.lookup(key)
	if !ok {
		return def
	}
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case int32:
		return int(x)
	case float64:
		if x == float64(int(x)) {
			return int(x)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
	case string:
		if i, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return i
		}
	}
	r.fail(key, "an integer", v)
	return def
}

// OptInt reads an integer that may be null (None in Python).
func (r *argReader) OptInt(key string, def *int) *int {
	v, ok := r.lookup(key)
	if !ok {
		return def
	}
	if v == nil {
		return nil
	}
	if s, isStr := v.(string); isStr && (s == "None" || s == "null") {
		return nil
	}
	i := r.Int(key, 0)
	return &i
}

func (r *argReader) Float(key string, def float64) float64 {
	v, ok := r.lookup(key)
	if !ok {
		return def
	}
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f
		}
	}
	r.fail(key, "a number", v)
	return def
}

func (r *argReader) Bool(key string, def bool) bool {
	v, ok := r.lookup(key)
	if !ok {
		return def
	}
	switch x := v.(type) {
	case bool:
		return x
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b
		}
	}
	r.fail(key, "true or false", v)
	return def
}

func (r *argReader) String(key, def string) string {
	v, ok := r.lookup(key)
	if !ok || v == nil {
		return def
	}
	if s, ok := v.(string); ok {
		return s
	}
	r.fail(key, "a string", v)
	return def
}

func (r *argReader) Strings(key string) []string {
	v, ok := r.lookup(key)
	if !ok || v == nil {
		return nil
	}
	switch x := v.(type) {
	case []string:
		return append([]string(nil), x...)
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				r.fail(key, "a list of strings", v)
				return nil
			}
			out = append(out, s)
		}
		return out
	}
	r.fail(key, "a list of strings", v)
	return nil
}

// Raw returns an argument as given.
func (r *argReader) Raw(key string) (any, bool) { return r.lookup(key) }

// Done returns the first type error, or an error naming unknown arguments.
func (r *argReader) Done() error {
	if r.err != nil {
		return r.err
	}
	var unknown []string
	for k := range r.args {
		if !r.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return fmt.Errorf("metric %s: unexpected argument(s) %s (it takes %s)", r.metric,
		cutShort(strings.Join(unknown, ", ")), strings.Join(r.asked, ", "))
}
