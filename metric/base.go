package metric

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/evalkit/evalkit/internal/jsonnum"
	"github.com/evalkit/evalkit/internal/pyfmt"
	"github.com/evalkit/evalkit/nd"
)

// Stats is a (sum, count) accumulator: MXNet's sum_metric and num_inst.
// Its JSON is {"sum": …, "num": …}, NaN and infinities written as the
// strings "NaN", "Infinity" and "-Infinity" (docs/formats.md).
type Stats struct {
	Sum float64 `json:"sum"`
	Num float64 `json:"num"`
}

// Merge returns the sums and counts added.
func (s Stats) Merge(o Stats) Stats { return Stats{s.Sum + o.Sum, s.Num + o.Num} }

type statsJSON struct {
	Sum jsonnum.Float `json:"sum"`
	Num jsonnum.Float `json:"num"`
}

// MarshalJSON encodes the sum and count losslessly.
func (s Stats) MarshalJSON() ([]byte, error) {
	return json.Marshal(statsJSON{jsonnum.Float(s.Sum), jsonnum.Float(s.Num)})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (s *Stats) UnmarshalJSON(b []byte) error {
	var j statsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Stats{float64(j.Sum), float64(j.Num)}
	return nil
}

// Mean returns Sum/Num, or NaN when nothing was counted (MXNet's rule: NaN
// only when the count is exactly zero).
func (s Stats) Mean() float64 {
	if s.Num == 0 {
		return math.NaN()
	}
	return s.Sum / s.Num
}

// Options are the arguments every metric takes.
type Options struct {
	// Name overrides the display name.
	Name string
	// OutputNames selects, in order, the predictions UpdateDict passes.
	OutputNames []string
	// LabelNames selects, in order, the labels UpdateDict passes.
	LabelNames []string
}

// Base implements the bookkeeping every metric shares: names, output and
// label selection, the derived getters, String, Config, and the state
// methods (Reset, ResetLocal, State, SetState, MergeState) over the
// metric's declared Statistics. Embed it and call Init from the
// constructor. By default the statistics are one Stats pair whose value is
// the mean: the embedding type implements Update and calls Add. A metric
// with other statistics declares them (Statistics.Declare).
//
// Base routes derived calls (UpdateDict → Update, GetNameValue → Get,
// String → GetNameValue) through the embedding metric, so a type that
// overrides Get or Update is seen by them.
type Base struct {
	mu          sync.Mutex
	self        Metric
	kind        string
	name        string
	outputNames []string
	labelNames  []string
	hasGlobal   bool
	args        []Arg
	stats       Statistics[Stats] // the default statistics
	st          holder            // the declared statistics
}

// Init sets up the base. self is the embedding metric; kind is the class
// name Config reports (e.g. "Accuracy"); name the default display name;
// hasGlobal whether global statistics are kept apart from local ones; args
// the constructor arguments Config reports, in order.
func (b *Base) Init(self Metric, kind, name string, o Options, hasGlobal bool, args ...Arg) {
	b.self = self
	b.kind = kind
	b.name = name
	if o.Name != "" {
		b.name = o.Name
	}
	b.outputNames = o.OutputNames
	b.labelNames = o.LabelNames
	b.hasGlobal = hasGlobal
	b.args = args
	b.stats.Declare(b, Stats.Mean)
}

// setValue installs the function that turns the default Stats into the
// reported value (Perplexity's exp of the mean, for example). The default
// is Stats.Mean.
func (b *Base) setValue(f func(Stats) float64) { b.stats.value = f }

// Name returns the display name.
func (b *Base) Name() string { return b.name }

// HasGlobalStats reports whether global statistics are kept apart from the
// local ones (true for every built-in, false for plain custom metrics such as
// insightface's).
func (b *Base) HasGlobalStats() bool { return b.hasGlobal }

// Add adds sum and num to the default Stats: the local ones and, when the
// metric keeps them, the global ones. It is safe for concurrent use.
func (b *Base) Add(sum, num float64) {
	b.mu.Lock()
	b.stats.local.Sum += sum
	b.stats.local.Num += num
	if b.hasGlobal {
		b.stats.global.Sum += sum
		b.stats.global.Num += num
	}
	b.mu.Unlock()
}

// Reset clears local and global statistics.
func (b *Base) Reset() {
	b.mu.Lock()
	b.st.reset()
	b.mu.Unlock()
}

// ResetLocal clears local statistics only.
func (b *Base) ResetLocal() {
	b.mu.Lock()
	b.st.resetLocal()
	b.mu.Unlock()
}

func (b *Base) newSnapshot() snapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.st.newSnapshot()
}

// Stats returns the local and global default statistics (zero for a
// metric that declared statistics of its own).
func (b *Base) Stats() (local, global Stats) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats.local, b.stats.global
}

// Get returns the local value under the metric's name.
func (b *Base) Get() ([]string, []float64) {
	b.mu.Lock()
	v := b.st.get(false)
	b.mu.Unlock()
	return []string{b.name}, []float64{v}
}

// GetGlobal returns the global value, or the local one when the metric keeps
// no global statistics.
func (b *Base) GetGlobal() ([]string, []float64) {
	if !b.hasGlobal {
		return b.self.Get()
	}
	b.mu.Lock()
	v := b.st.get(true)
	b.mu.Unlock()
	return []string{b.name}, []float64{v}
}

// GetNameValue zips Get into pairs.
func (b *Base) GetNameValue() []NameValue { return zipNV(b.self.Get()) }

// GetGlobalNameValue zips GetGlobal into pairs.
func (b *Base) GetGlobalNameValue() []NameValue { return zipNV(b.self.GetGlobal()) }

func zipNV(names []string, values []float64) []NameValue {
	n := min(len(names), len(values))
	out := make([]NameValue, n)
	for i := range n {
		out[i] = NameValue{names[i], values[i]}
	}
	return out
}

// String is MXNet's __str__: "EvalMetric: {'accuracy': 0.5}", with Python's
// float repr and duplicate names collapsed as a Python dict does.
func (b *Base) String() string { return Format(b.self) }

func formatNV(nv []NameValue) string {
	var keys []string
	vals := map[string]float64{}
	for _, p := range nv {
		if _, seen := vals[p.Name]; !seen {
			keys = append(keys, p.Name)
		}
		vals[p.Name] = p.Value
	}
	var sb strings.Builder
	sb.WriteString("EvalMetric: {")
	for i, k := range keys {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "'%s': %s", k, pyfmt.Repr(vals[k]))
	}
	sb.WriteString("}")
	return sb.String()
}

// UpdateDict selects labels and preds by name and calls Update. The
// selected lists come from a pool, so a training loop's per-batch call
// allocates nothing.
func (b *Base) UpdateDict(labels, preds Named) error {
	lb, pb := listPool.Get().(*[]*nd.Array), listPool.Get().(*[]*nd.Array)
	defer func() {
		clear(*lb)
		clear(*pb)
		listPool.Put(lb)
		listPool.Put(pb)
	}()
	l, err := selectNamed("label", labels, b.labelNames, lb)
	if err != nil {
		return fmt.Errorf("metric %s: %w", b.name, err)
	}
	p, err := selectNamed("output", preds, b.outputNames, pb)
	if err != nil {
		return fmt.Errorf("metric %s: %w", b.name, err)
	}
	return b.self.Update(l, p)
}

var listPool = sync.Pool{New: func() any { return new([]*nd.Array) }}

// selectNamed returns the arrays of n named by names, in that order (all of
// them when names is nil), in *buf's storage.
func selectNamed(what string, n Named, names []string, buf *[]*nd.Array) ([]*nd.Array, error) {
	if len(n.Names) != len(n.Arrays) {
		return nil, fmt.Errorf("%s dict has %d names but %d arrays", what, len(n.Names), len(n.Arrays))
	}
	if names == nil {
		return n.Arrays, nil
	}
	out := (*buf)[:0]
	for _, name := range names {
		a, ok := n.Get(name)
		if !ok {
			return nil, fmt.Errorf("no %s named %q (have %v)", what, name, n.Names)
		}
		out = append(out, a)
	}
	*buf = out
	return out, nil
}

// Config returns the class name, display name, selections and arguments.
func (b *Base) Config() (Config, error) {
	return Config{
		Metric:      b.kind,
		Name:        b.name,
		OutputNames: b.outputNames,
		LabelNames:  b.labelNames,
		Args:        append([]Arg(nil), b.args...),
	}, nil
}

// State exports the declared statistics. It fails, rather than export an
// incomplete state, when they cannot be encoded.
func (b *Base) State() (State, error) {
	b.mu.Lock()
	l, g, err := b.st.encode()
	b.mu.Unlock()
	if err != nil {
		return State{}, err
	}
	return State{Metric: b.kind, Name: b.name, Local: l, Global: g}, nil
}

func (b *Base) load(st State, merge bool) error {
	if st.Metric != b.kind {
		return fmt.Errorf("metric %s: state is of a %s metric, want %s", b.name, st.Metric, b.kind)
	}
	if len(st.Children) > 0 {
		return fmt.Errorf("metric %s: state has %d children; only a composite's has", b.name, len(st.Children))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.st.load(st.Local, st.Global, merge)
}

// SetState replaces the statistics with st's. On error nothing changes.
func (b *Base) SetState(st State) error { return b.load(st, false) }

// MergeState adds st's statistics to this metric's. On error nothing
// changes.
func (b *Base) MergeState(st State) error { return b.load(st, true) }
