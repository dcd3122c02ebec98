package report

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/internal/jsonnum"
)

// History is an events.Sink that keeps what training curves show: the
// training metric's values at every Speedometer window, the validation
// values after every epoch and the accuracy of every verification, each
// against the global step. It is built from typed events only. Its state
// (StateKey, MarshalState, RestoreState: fit.Stateful) travels in resumable
// checkpoints, so a resumed run's curves continue the interrupted one's.
// It is safe for concurrent use.
type History struct {
	mu sync.Mutex
	h  historyState
}

// Track is one curve: Y against X, the global step.
type Track struct {
	X Floats `json:"x"`
	Y Floats `json:"y"`
}

type historyState struct {
	Train        map[string]*Track `json:"train"`
	Validation   map[string]*Track `json:"validation"`
	Verification map[string]*Track `json:"verification"`
}

// Emit records Speed windows, Validation and Verification events.
func (h *History) Emit(e events.Event) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch e := e.(type) {
	case events.Speed:
		for _, nv := range e.Values {
			add(&h.h.Train, nv.Name, e.Step, nv.Value)
		}
	case events.Validation:
		for _, nv := range e.Values {
			add(&h.h.Validation, nv.Name, e.Step, nv.Value)
		}
	case events.Verification:
		add(&h.h.Verification, e.Target, e.Step, e.Accuracy)
	}
	return nil
}

func add(m *map[string]*Track, name string, step int, v float64) {
	if *m == nil {
		*m = map[string]*Track{}
	}
	t := (*m)[name]
	if t == nil {
		t = &Track{}
		(*m)[name] = t
	}
	t.X = append(t.X, float64(step))
	t.Y = append(t.Y, v)
}

// Train returns the training metric's curve of name (Speedometer windows).
func (h *History) Train(name string) Series { return h.series(h.h.Train, name) }

// Validation returns the validation curve of name.
func (h *History) Validation(name string) Series { return h.series(h.h.Validation, name) }

// Verification returns the accuracy curve of a verification target.
func (h *History) Verification(target string) Series { return h.series(h.h.Verification, target) }

// Targets returns the verification targets seen, sorted.
func (h *History) Targets() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for k := range h.h.Verification {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Last returns the last validation value of name (NaN when none).
func (h *History) Last(name string) float64 {
	s := h.Validation(name)
	if len(s.Y) == 0 {
		return math.NaN()
	}
	return s.Y[len(s.Y)-1]
}

func (h *History) series(m map[string]*Track, name string) Series {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := m[name]
	if t == nil {
		return Series{Name: name}
	}
	return Series{Name: name, X: append([]float64(nil), t.X...), Y: append([]float64(nil), t.Y...)}
}

// StateKey names the history's state in checkpoints.
func (h *History) StateKey() string { return "report_history" }

// MarshalState exports the curves; NaN and ±Inf are kept (see Floats).
func (h *History) MarshalState() (json.RawMessage, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return json.Marshal(h.h)
}

// RestoreState replaces the curves with exported ones.
func (h *History) RestoreState(raw json.RawMessage) error {
	var st historyState
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("report: history state: %w", err)
	}
	for _, m := range []map[string]*Track{st.Train, st.Validation, st.Verification} {
		for name, t := range m {
			if t == nil || len(t.X) != len(t.Y) {
				return fmt.Errorf("report: history state: curve %q has x and y of different lengths", name)
			}
		}
	}
	h.mu.Lock()
	h.h = st
	h.mu.Unlock()
	return nil
}

// Floats is a []float64 whose JSON form keeps NaN and ±Inf, by evalkit's
// one rule (the strings "NaN", "Infinity", "-Infinity"; docs/formats.md).
type Floats = jsonnum.Floats
