package metric

import (
	"encoding/json"

	"github.com/evalkit/evalkit/nd"
)

// NameValue is one named metric value, as MXNet's get_name_value pairs.
type NameValue struct {
	Name  string
	Value float64
}

// Named is an ordered name → array map, the Go form of the OrderedDicts
// MXNet passes to update_dict.
type Named struct {
	Names  []string
	Arrays []*nd.Array
}

// Get returns the array called name and whether it is present.
func (n Named) Get(name string) (*nd.Array, bool) {
	for i, s := range n.Names {
		if s == name {
			return n.Arrays[i], true
		}
	}
	return nil, false
}

// Metric is MXNet's EvalMetric contract in Go naming.
//
// Local statistics cover everything since the last Reset or ResetLocal;
// global statistics everything since the last Reset. A metric without global
// statistics answers GetGlobal with its local values, as MXNet's do (this is
// why insightface's epoch "Train-acc" covers only the last Speedometer
// window).
//
// Every built-in metric is safe for concurrent use: Update takes the
// metric's mutex once per call, after the per-sample work is done.
type Metric interface {
	// Name returns the display name used in logs.
	Name() string
	// Update accumulates one update call: labels and preds are the lists
	// MXNet passes (one entry per network output).
	Update(labels, preds []*nd.Array) error
	// UpdateDict selects labels and preds by the metric's label and output
	// names (all, in order, when unset) and calls Update.
	UpdateDict(labels, preds Named) error
	// Reset clears local and global statistics.
	Reset()
	// ResetLocal clears local statistics only.
	ResetLocal()
	// Get returns the local names and values (NaN where nothing was seen).
	Get() (names []string, values []float64)
	// GetGlobal returns the global names and values, or the local ones for a
	// metric without global statistics.
	GetGlobal() (names []string, values []float64)
	// Config returns the constructor arguments; Create(config) rebuilds the
	// metric. It fails for metrics that cannot be serialised (a Go function).
	Config() (Config, error)
	// State exports the metric's sufficient statistics.
	State() (State, error)
	// SetState replaces the statistics with an exported state.
	SetState(State) error
	// MergeState adds an exported state's statistics to this metric's, so
	// that shards evaluated apart and merged equal one sequential pass.
	MergeState(State) error
}

// State is a metric's exported sufficient statistics. Local and Global hold
// the metric's own JSON; Children holds a composite's children in order.
type State struct {
	Metric   string          `json:"metric"`
	Name     string          `json:"name"`
	Local    json.RawMessage `json:"local,omitempty"`
	Global   json.RawMessage `json:"global,omitempty"`
	Children []State         `json:"children,omitempty"`
}

// LocalValues zips m.Get into name-value pairs (MXNet's get_name_value).
// The built-in metrics also have it as a method, GetNameValue.
func LocalValues(m Metric) []NameValue { return zipNV(m.Get()) }

// GlobalValues zips m.GetGlobal into name-value pairs (MXNet's
// get_global_name_value); the built-ins' method is GetGlobalNameValue.
func GlobalValues(m Metric) []NameValue { return zipNV(m.GetGlobal()) }

// Format is MXNet's EvalMetric.__str__ of m's local values:
// "EvalMetric: {'accuracy': 0.5}"; the built-ins' method is String.
func Format(m Metric) string { return formatNV(LocalValues(m)) }

// Merge adds src's statistics into dst. Both must be the same kind of metric.
func Merge(dst, src Metric) error {
	st, err := src.State()
	if err != nil {
		return err
	}
	return dst.MergeState(st)
}
