package metric

import (
	"encoding/json"
	"fmt"
)

// Mergeable is the contract of a metric's sufficient statistics S: Merge
// returns the statistics of two disjoint parts of the data taken together,
// so that shards evaluated apart and merged equal one sequential pass. S's
// zero value must be the statistics of no data; a type whose empty
// statistics carry more (PCC keeps its class count) implements
// Cleared() S, which Reset uses instead. A type that can check a decoded
// state implements Validate() error. A type holding slices or maps
// implements CopyFrom(S) on its pointer, a deep copy that reuses the
// receiver's storage, so that a Composite can restore it after a refused
// batch.
type Mergeable[S any] interface {
	Merge(other S) S
}

// Statistics holds a metric's local and global sufficient statistics of
// type S, the way torchmetrics' add_state declares them: Reset, ResetLocal,
// State, SetState and MergeState live here once, and a metric writes only
// its update (Update) and its value (the function given to Declare).
//
//	type MyMetric struct {
//		metric.Base
//		st metric.Statistics[myCounts]
//	}
//	m.Init(m, "MyMetric", "mine", o, true)
//	m.st.Declare(&m.Base, myCounts.value)
//	...
//	m.st.Update(func(s *myCounts) { s.add(batch) })  // in Update
//
// The statistics encode as JSON with encoding/json; a float field that can
// become NaN or infinite must encode losslessly (Stats does, through the
// rule in docs/formats.md).
type Statistics[S Mergeable[S]] struct {
	b             *Base
	local, global S
	value         func(S) float64
}

// Declare makes these statistics the metric's state: b's Reset, ResetLocal,
// Get, GetGlobal, State, SetState and MergeState use them from now on, and
// value turns them into the reported value. Call it from the constructor,
// after b.Init.
func (s *Statistics[S]) Declare(b *Base, value func(S) float64) {
	s.b, s.value = b, value
	b.st = s
}

// Update applies f to the local statistics and, when the metric keeps
// global statistics, to the global ones, under the metric's lock. f must
// not fail part-way: validate the batch before calling Update, so that a
// refused batch changes nothing.
func (s *Statistics[S]) Update(f func(*S)) {
	s.b.mu.Lock()
	f(&s.local)
	if s.b.hasGlobal {
		f(&s.global)
	}
	s.b.mu.Unlock()
}

// The methods below implement holder; Base calls them with its lock held.

// cleared returns the empty statistics of *v. The optional interfaces are
// asserted on pointers, which box without allocating.
func (s *Statistics[S]) cleared(v *S) S {
	if c, ok := any(v).(interface{ Cleared() S }); ok {
		return c.Cleared()
	}
	var zero S
	return zero
}

// copyStats sets *dst to a copy of src that shares no storage with it.
func copyStats[S any](dst *S, src S) {
	if c, ok := any(dst).(interface{ CopyFrom(S) }); ok {
		c.CopyFrom(src)
		return
	}
	*dst = src
}

func (s *Statistics[S]) reset() {
	s.local, s.global = s.cleared(&s.local), s.cleared(&s.global)
}

func (s *Statistics[S]) resetLocal() { s.local = s.cleared(&s.local) }

func (s *Statistics[S]) get(global bool) float64 {
	if global {
		return s.value(s.global)
	}
	return s.value(s.local)
}

func (s *Statistics[S]) encode() (local, global json.RawMessage, err error) {
	if local, err = json.Marshal(s.local); err != nil {
		return nil, nil, fmt.Errorf("metric %s: local state: %w", s.b.name, err)
	}
	if !s.b.hasGlobal {
		return local, nil, nil
	}
	if global, err = json.Marshal(s.global); err != nil {
		return nil, nil, fmt.Errorf("metric %s: global state: %w", s.b.name, err)
	}
	return local, global, nil
}

// load decodes both sides first and changes nothing unless both decode and
// validate; then it replaces or merges.
func (s *Statistics[S]) load(local, global json.RawMessage, merge bool) error {
	var l, g S
	for _, side := range []struct {
		name string
		raw  json.RawMessage
		dst  *S
	}{{"local", local, &l}, {"global", global, &g}} {
		if len(side.raw) == 0 {
			*side.dst = s.cleared(side.dst)
			continue
		}
		if err := json.Unmarshal(side.raw, side.dst); err != nil {
			return fmt.Errorf("metric %s: %s state: %w", s.b.name, side.name, err)
		}
		if v, ok := any(side.dst).(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("metric %s: %s state: %w", s.b.name, side.name, err)
			}
		}
	}
	if merge {
		s.local, s.global = s.local.Merge(l), s.global.Merge(g)
	} else {
		s.local, s.global = l, g
	}
	return nil
}

// holder is the type-erased view Base has of its declared Statistics.
type holder interface {
	reset()
	resetLocal()
	get(global bool) float64
	encode() (local, global json.RawMessage, err error)
	load(local, global json.RawMessage, merge bool) error
	newSnapshot() snapshot
}

// snapshot saves a metric's statistics and restores them: a Composite
// saves every child before a batch and restores those that counted it when
// a later child refuses it. One snapshot is made per child and reused, so
// an update allocates nothing.
type snapshot interface {
	save()
	restore()
}

// rollbacker is a metric that can make snapshots: every metric built on
// Base, and Composite.
type rollbacker interface {
	newSnapshot() snapshot
}

type statsSnapshot[S Mergeable[S]] struct {
	s             *Statistics[S]
	local, global S
}

func (s *Statistics[S]) newSnapshot() snapshot { return &statsSnapshot[S]{s: s} }

func (p *statsSnapshot[S]) save() {
	p.s.b.mu.Lock()
	copyStats(&p.local, p.s.local)
	copyStats(&p.global, p.s.global)
	p.s.b.mu.Unlock()
}

func (p *statsSnapshot[S]) restore() {
	p.s.b.mu.Lock()
	copyStats(&p.s.local, p.local)
	copyStats(&p.s.global, p.global)
	p.s.b.mu.Unlock()
}
