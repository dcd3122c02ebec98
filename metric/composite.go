package metric

import (
	"fmt"
	"sync"

	"github.com/evalkit/evalkit/nd"
)

// Composite is MXNet's CompositeEvalMetric ("composite",
// "compositeevalmetric"): several metrics updated together, whose names and
// values are reported as one flat list (nested composites flatten). Children
// are shared, not copied. It has no statistics of its own.
//
// An update is all or nothing: when a child refuses a batch, the children
// that already counted it are restored to their statistics before it
// (every metric built on Base, nested composites included). A child of
// another kind is not restored; put such a child first, or alone. The
// restore also undoes an update that another goroutine made to a shared
// child during the refused batch.
type Composite struct {
	mu          sync.RWMutex
	upd         sync.Mutex // serialises updates, which use snaps
	name        string
	outputNames []string
	labelNames  []string
	metrics     []Metric
	snaps       []snapshot // per child, nil where it cannot make one
}

// NewComposite returns a composite of the given children.
func NewComposite(o Options, children ...Metric) *Composite {
	c := &Composite{name: "composite", outputNames: o.OutputNames, labelNames: o.LabelNames}
	if o.Name != "" {
		c.name = o.Name
	}
	c.metrics = append(c.metrics, children...)
	return c
}

// Add appends a child.
func (c *Composite) Add(m Metric) {
	c.mu.Lock()
	c.metrics = append(c.metrics, m)
	c.snaps = nil // rebuilt by the next update
	c.mu.Unlock()
}

// Metrics returns the children.
func (c *Composite) Metrics() []Metric {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]Metric(nil), c.metrics...)
}

// GetMetric returns child i, or an error when i is out of range (MXNet
// returns the ValueError object instead of raising it).
func (c *Composite) GetMetric(i int) (Metric, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if i < 0 || i >= len(c.metrics) {
		return nil, fmt.Errorf("metric %s: metric index %d is out of range 0 and %d", c.name, i, len(c.metrics))
	}
	return c.metrics[i], nil
}

// Name returns the display name.
func (c *Composite) Name() string { return c.name }

// Update updates every child with the same lists. When a child fails, the
// children before it are restored and its error is returned: the batch is
// counted by all children or by none.
func (c *Composite) Update(labels, preds []*nd.Array) error {
	return c.atomically(func(m Metric) error { return m.Update(labels, preds) })
}

// atomically runs update on every child in order; when one fails it
// restores the children before it. Steady state allocates nothing: the
// snapshots are made once per child and reused.
func (c *Composite) atomically(update func(Metric) error) error {
	c.upd.Lock()
	defer c.upd.Unlock()
	c.mu.RLock()
	ms, snaps := c.metrics, c.snaps
	c.mu.RUnlock()
	if snaps == nil && len(ms) > 0 {
		snaps = make([]snapshot, len(ms))
		for i, m := range ms {
			if r, ok := m.(rollbacker); ok {
				snaps[i] = r.newSnapshot()
			}
		}
		c.mu.Lock()
		if len(c.metrics) == len(ms) {
			c.snaps = snaps
		}
		c.mu.Unlock()
	}
	if len(ms) > 1 { // one child needs no rollback
		for _, s := range snaps {
			if s != nil {
				s.save()
			}
		}
	}
	for i, m := range ms {
		if err := update(m); err != nil {
			for _, s := range snaps[:i] {
				if s != nil {
					s.restore()
				}
			}
			return err
		}
	}
	return nil
}

// newSnapshot snapshots the children that can be snapshot, as a nested
// composite's part in its parent's rollback.
func (c *Composite) newSnapshot() snapshot { return &compositeSnapshot{c: c} }

// compositeSnapshot saves and restores a composite's children; it follows
// children added after it was made.
type compositeSnapshot struct {
	c     *Composite
	snaps []snapshot
	of    int // children the snapshots were made for
}

func (cs *compositeSnapshot) save() {
	cs.c.mu.RLock()
	ms := cs.c.metrics
	cs.c.mu.RUnlock()
	if cs.snaps == nil || cs.of != len(ms) {
		cs.snaps, cs.of = cs.snaps[:0], len(ms)
		for _, m := range ms {
			if r, ok := m.(rollbacker); ok {
				cs.snaps = append(cs.snaps, r.newSnapshot())
			}
		}
	}
	for _, s := range cs.snaps {
		s.save()
	}
}

func (cs *compositeSnapshot) restore() {
	for _, s := range cs.snaps {
		s.restore()
	}
}

// UpdateDict filters the dicts by the composite's own names, if set, and
// then lets every child select its own.
func (c *Composite) UpdateDict(labels, preds Named) error {
	if c.labelNames != nil {
		labels = filterNamed(labels, c.labelNames)
	}
	if c.outputNames != nil {
		preds = filterNamed(preds, c.outputNames)
	}
	return c.atomically(func(m Metric) error { return m.UpdateDict(labels, preds) })
}

// filterNamed keeps the entries whose names are listed, in the dict's order.
func filterNamed(n Named, keep []string) Named {
	var out Named
	for i, name := range n.Names {
		for _, k := range keep {
			if k == name {
				out.Names = append(out.Names, name)
				out.Arrays = append(out.Arrays, n.Arrays[i])
				break
			}
		}
	}
	return out
}

// Reset resets every child.
func (c *Composite) Reset() {
	for _, m := range c.Metrics() {
		m.Reset()
	}
}

// ResetLocal resets every child's local statistics.
func (c *Composite) ResetLocal() {
	for _, m := range c.Metrics() {
		m.ResetLocal()
	}
}

// Get returns the children's local names and values, flattened.
func (c *Composite) Get() ([]string, []float64) {
	var names []string
	var values []float64
	for _, m := range c.Metrics() {
		n, v := m.Get()
		names = append(names, n...)
		values = append(values, v...)
	}
	return names, values
}

// GetGlobal returns the children's global names and values, flattened.
func (c *Composite) GetGlobal() ([]string, []float64) {
	var names []string
	var values []float64
	for _, m := range c.Metrics() {
		n, v := m.GetGlobal()
		names = append(names, n...)
		values = append(values, v...)
	}
	return names, values
}

// GetNameValue zips Get.
func (c *Composite) GetNameValue() []NameValue { return zipNV(c.Get()) }

// GetGlobalNameValue zips GetGlobal.
func (c *Composite) GetGlobalNameValue() []NameValue { return zipNV(c.GetGlobal()) }

// String is MXNet's __str__.
func (c *Composite) String() string { return formatNV(c.GetNameValue()) }

// Config returns the composite's config with its children's.
func (c *Composite) Config() (Config, error) {
	cfg := Config{Metric: "CompositeEvalMetric", Name: c.name, OutputNames: c.outputNames, LabelNames: c.labelNames, Metrics: []Config{}}
	for _, m := range c.Metrics() {
		mc, err := m.Config()
		if err != nil {
			return Config{}, err
		}
		cfg.Metrics = append(cfg.Metrics, mc)
	}
	return cfg, nil
}

// State exports every child's state.
func (c *Composite) State() (State, error) {
	st := State{Metric: "CompositeEvalMetric", Name: c.name, Children: []State{}}
	for _, m := range c.Metrics() {
		cs, err := m.State()
		if err != nil {
			return State{}, err
		}
		st.Children = append(st.Children, cs)
	}
	return st, nil
}

func (c *Composite) eachChildState(st State, f func(Metric, State) error) error {
	ms := c.Metrics()
	if st.Metric != "CompositeEvalMetric" || len(st.Children) != len(ms) {
		return fmt.Errorf("metric %s: state is of a %s with %d children, want a composite with %d", c.name, st.Metric, len(st.Children), len(ms))
	}
	for i, m := range ms {
		if err := f(m, st.Children[i]); err != nil {
			return err
		}
	}
	return nil
}

// SetState restores every child.
func (c *Composite) SetState(st State) error {
	return c.eachChildState(st, Metric.SetState)
}

// MergeState merges every child.
func (c *Composite) MergeState(st State) error {
	return c.eachChildState(st, Metric.MergeState)
}

func init() {
	if err := Default.register("compositeevalmetric", func(reg *Registry, a Args) (Metric, error) {
		r := newArgReader("composite", a)
		children, _ := r.Raw("metrics")
		o := readOptions(r)
		if err := r.Done(); err != nil {
			return nil, err
		}
		c := NewComposite(o)
		if children == nil {
			return c, nil
		}
		list, ok := children.([]any)
		if !ok {
			return nil, fmt.Errorf("metric composite: metrics must be a list, got %T", children)
		}
		for i, ch := range list {
			m, err := reg.Create(ch, nil)
			if err != nil {
				return nil, fmt.Errorf("metric composite: child %d: %w", i, err)
			}
			c.Add(m)
		}
		return c, nil
	}); err != nil {
		panic(err)
	}
	_ = Alias("compositeevalmetric", "composite")
}
