package fit

import (
	"encoding/json"
	"fmt"

	"github.com/evalkit/evalkit/metric"
)

// TrainState is where an interrupted Fit stopped and what it needs to go on
// as if it had not: the position, the training metric's statistics (so the
// epoch's global values continue), the state of stateful callbacks and the
// time already spent in the epoch (so "Time cost" and the Speedometer
// window stay right). It is saved as JSON inside resumable checkpoints.
type TrainState struct {
	// Epoch is the epoch to continue, counted from 0.
	Epoch int `json:"epoch"`
	// Batch is the number of batches of Epoch already trained.
	Batch int `json:"batch"`
	// Step is the global step: batches trained since the run began
	// (0 in checkpoints written before evalkit recorded it).
	Step int `json:"step,omitempty"`
	// EpochElapsed is the wall time spent in Epoch so far, in seconds.
	EpochElapsed float64 `json:"epoch_elapsed_seconds"`
	// Metric is the training metric's state after the last trained batch
	// and its callbacks; nil at an epoch boundary (Batch 0).
	Metric *metric.State `json:"metric,omitempty"`
	// Callbacks holds the state of every Stateful callback by StateKey.
	Callbacks map[string]json.RawMessage `json:"callbacks,omitempty"`
	// LearningRate is the optimizer's learning rate at the stop.
	LearningRate float64 `json:"learning_rate"`
	// PendingValidation says the validation after epoch Epoch-1 was
	// interrupted: a resumed Fit runs it first.
	PendingValidation bool `json:"pending_validation,omitempty"`
	// Done says the run finished: every epoch, validation and train-end
	// callback ran. A resumed Fit with no epochs left does nothing; one
	// not Done runs the train-end callbacks (Config.TrainEnd).
	Done bool `json:"done,omitempty"`
}

// Stateful is implemented by callbacks whose state must survive an
// interruption: Fit stores it in TrainState.Callbacks under StateKey and
// restores it when resuming. Speedometer and InsightfaceCallback implement it.
type Stateful interface {
	// StateKey names the callback's state; unique within one Fit call.
	StateKey() string
	// MarshalState exports the state.
	MarshalState() (json.RawMessage, error)
	// RestoreState replaces the state with an exported one.
	RestoreState(json.RawMessage) error
}

// InterruptedError is returned by Fit when its context is cancelled. Fit
// stops after the batch in progress (and its callbacks); when that batch
// ends an epoch, the epoch is completed first. State holds what Config.Resume
// needs to continue; with Config.ResumeCheckpoint it is also saved to disk,
// with the parameters and optimizer state.
type InterruptedError struct {
	// Epoch and Batch are where training stopped: Batch batches of Epoch
	// are done.
	Epoch, Batch int
	// State is the resumable state.
	State *TrainState
	// Checkpoint is the path of the resumable checkpoint written, if any.
	Checkpoint string
	// Err is the context's error.
	Err error
}

// Error describes the interruption.
func (e *InterruptedError) Error() string {
	s := fmt.Sprintf("fit: interrupted at epoch %d after %d batches: %v", e.Epoch, e.Batch, e.Err)
	if e.Checkpoint != "" {
		s += fmt.Sprintf(" (resumable checkpoint %q)", e.Checkpoint)
	}
	return s
}

// Unwrap returns the context's error, so errors.Is(err, context.Canceled)
// holds.
func (e *InterruptedError) Unwrap() error { return e.Err }

// collectStates gathers the states of the Stateful callbacks among cbs.
func collectStates(dst map[string]json.RawMessage, cbs []any) (map[string]json.RawMessage, error) {
	for _, cb := range cbs {
		s, ok := cb.(Stateful)
		if !ok {
			continue
		}
		raw, err := s.MarshalState()
		if err != nil {
			return nil, fmt.Errorf("fit: callback state %q: %w", s.StateKey(), err)
		}
		if dst == nil {
			dst = make(map[string]json.RawMessage)
		}
		if _, dup := dst[s.StateKey()]; dup {
			return nil, fmt.Errorf("fit: two callbacks share the state key %q", s.StateKey())
		}
		dst[s.StateKey()] = raw
	}
	return dst, nil
}

// restoreStates restores Stateful callbacks from st.
func restoreStates(st map[string]json.RawMessage, cbs []any) error {
	for _, cb := range cbs {
		s, ok := cb.(Stateful)
		if !ok {
			continue
		}
		raw, ok := st[s.StateKey()]
		if !ok {
			continue
		}
		if err := s.RestoreState(raw); err != nil {
			return fmt.Errorf("fit: restoring callback state %q: %w", s.StateKey(), err)
		}
	}
	return nil
}
