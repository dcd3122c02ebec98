package fit

import (
	"context"
	"log/slog"
	"time"

	"github.com/evalkit/evalkit/events"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

// BatchEndParam is what a batch-end callback receives, MXNet's
// BatchEndParam(epoch, nbatch, eval_metric, locals).
type BatchEndParam struct {
	// Epoch is the current epoch, counted from 0 (begin epoch included).
	Epoch int
	// NBatch is the 0-based batch index within the epoch; in a score-end
	// callback it is the number of batches run.
	NBatch int
	// EvalMetric is the live metric (nil when none is set): callbacks may
	// read it and reset it, as Speedometer does.
	EvalMetric metric.Metric
	// Module is the module being trained or scored.
	Module Module
	// Optimizer is the optimizer in use (nil in Score).
	Optimizer Optimizer
	// Context is the context of the Fit or Score call, for callbacks that
	// do long work (verification); nil means context.Background.
	Context context.Context
	// Step is the global step: batches trained since the run began,
	// this batch included and resumed runs counted (0 in Score).
	Step int
	// Logger is the run's logger (Config.Logger): callbacks without a logger
	// of their own write to it. Nil means DefaultLogger.
	Logger *slog.Logger
	// Now is the run's clock (Config.Now): callbacks without a clock of
	// their own read it. Nil means time.Now.
	Now func() time.Time
	// Events receives the run's typed events (Config.Events); nil when the
	// run has no sinks. Callbacks emit theirs through it.
	Events events.Sink
}

// Ctx returns p.Context, or context.Background when it is nil.
func (p BatchEndParam) Ctx() context.Context {
	if p.Context == nil {
		return context.Background()
	}
	return p.Context
}

// BatchEndCallback is called after every batch, MXNet's batch_end_callback.
// A non-nil error stops Fit or Score, which returns it wrapped with the
// epoch and batch.
type BatchEndCallback interface {
	BatchEnd(p BatchEndParam) error
}

// BatchEndFunc adapts a function to BatchEndCallback.
type BatchEndFunc func(p BatchEndParam) error

// BatchEnd calls f(p).
func (f BatchEndFunc) BatchEnd(p BatchEndParam) error { return f(p) }

// EpochEndParam is what an epoch-end callback receives: MXNet's
// (iter_no, sym, arg, aux) plus the module and optimizer, so a checkpoint
// can save optimizer state.
type EpochEndParam struct {
	// Epoch is the epoch just finished, counted from 0.
	Epoch int
	// Arg and Aux are the module's parameters after the epoch (the live
	// arrays; read them, do not keep them).
	Arg, Aux map[string]*nd.Array
	// Module is the module being trained.
	Module Module
	// Optimizer is the optimizer in use.
	Optimizer Optimizer
	// EvalMetric is the training metric.
	EvalMetric metric.Metric
	// Step, Logger, Now and Events are the run's, as in BatchEndParam.
	Step   int
	Logger *slog.Logger
	Now    func() time.Time
	Events events.Sink
}

// EpochEndCallback is called after every epoch, before validation, MXNet's
// epoch_end_callback. A non-nil error stops Fit.
type EpochEndCallback interface {
	EpochEnd(p EpochEndParam) error
}

// EpochEndFunc adapts a function to EpochEndCallback.
type EpochEndFunc func(p EpochEndParam) error

// EpochEnd calls f(p).
func (f EpochEndFunc) EpochEnd(p EpochEndParam) error { return f(p) }
