package events

import (
	"errors"
	"time"

	"github.com/evalkit/evalkit/metric"
)

// Event is one thing that happened in a run. Kind names its type in JSONL
// ("batch_end", "speed", …); At is when it happened (the run's clock).
type Event interface {
	Kind() string
	At() time.Time
}

// Position is where in a run an event happened: Epoch counts from 0,
// Batch is the 0-based batch index within the epoch, and Step is the global
// step, the number of batches trained since the run began (resumed runs
// included), as insightface's and arcface_torch's global_step.
type Position struct {
	Time  time.Time
	Epoch int
	Batch int
	Step  int
}

// At returns p.Time.
func (p Position) At() time.Time { return p.Time }

// BatchEnd is a batch trained: Samples rows (padding excluded) went through
// the update, and Values are the training metric's local names and values
// after it.
type BatchEnd struct {
	Position
	Samples int
	Values  []metric.NameValue
}

// Speed is a Speedometer window: batches [BatchBegin, Batch] trained at
// Speed samples per second, with the metric's local values over the window
// (Values nil when the callback has no metric: MXNet's "Iter" line).
type Speed struct {
	Position
	BatchBegin int
	Speed      float64
	Values     []metric.NameValue
}

// EpochEnd is the training part of an epoch done: the metric's global
// values ("Epoch[e] Train-…") and the epoch's wall time in seconds ("Time
// cost"). Position.Batch is the number of batches in the epoch.
type EpochEnd struct {
	Position
	Train    []metric.NameValue
	TimeCost float64
}

// Validation is the validation data scored after an epoch
// ("Epoch[e] Validation-…").
type Validation struct {
	Position
	Values []metric.NameValue
}

// Verification is one verification target's result: insightface's
// Accuracy-Flip mean and std over folds, the mean embedding norm, and any
// further figures the verifier computed (Extra, e.g. auc).
type Verification struct {
	Position
	Target   string
	Accuracy float64
	Std      float64
	XNorm    float64
	Extra    []metric.NameValue
}

// Checkpoint is a checkpoint file written; Resumable marks one holding the
// training state (fit.Config.ResumeCheckpoint).
type Checkpoint struct {
	Position
	Path      string
	Resumable bool
}

// LearningRate is the optimizer's learning rate changed to Rate.
type LearningRate struct {
	Position
	Rate float64
}

// Kind returns "batch_end".
func (BatchEnd) Kind() string { return "batch_end" }

// Kind returns "speed".
func (Speed) Kind() string { return "speed" }

// Kind returns "epoch_end".
func (EpochEnd) Kind() string { return "epoch_end" }

// Kind returns "validation".
func (Validation) Kind() string { return "validation" }

// Kind returns "verification".
func (Verification) Kind() string { return "verification" }

// Kind returns "checkpoint".
func (Checkpoint) Kind() string { return "checkpoint" }

// Kind returns "learning_rate".
func (LearningRate) Kind() string { return "learning_rate" }

// Sink receives a run's events, one at a time, in the order they happened.
// An error stops the run, as a callback's does. Fit calls a sink from one
// goroutine; a sink shared with other goroutines (a metrics endpoint) guards
// its own state.
type Sink interface {
	Emit(e Event) error
}

// Func adapts a function to Sink.
type Func func(e Event) error

// Emit calls f(e).
func (f Func) Emit(e Event) error { return f(e) }

// Multi is a sink that sends each event to every sink in order, nil sinks
// skipped; it returns the errors joined.
type Multi []Sink

// Emit sends e to every sink.
func (m Multi) Emit(e Event) error {
	var errs []error
	for _, s := range m {
		if s == nil {
			continue
		}
		if err := s.Emit(e); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
