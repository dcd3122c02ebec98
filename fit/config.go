package fit

import (
	"log/slog"
	"time"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

// Config configures Fit, in the manner of slog.HandlerOptions: set the
// fields that matter, leave the rest zero. The zero value plus NumEpoch is
// MXNet 1.9.1's Module.fit defaults. The logger and the clock are given
// here once and reach every callback (BatchEndParam.Logger, .Now).
type Config struct {
	// BeginEpoch is the first epoch number (MXNet's begin_epoch). Epoch
	// numbers in logs and callbacks count from 0.
	BeginEpoch int
	// NumEpoch is the end epoch, exclusive (MXNet's num_epoch): Fit runs
	// epochs BeginEpoch..NumEpoch-1. It is required, as in MXNet.
	NumEpoch int

	// EvalMetric is the training metric (MXNet's eval_metric); nil means
	// accuracy ("acc"). Build one with metric.Create or a constructor.
	EvalMetric metric.Metric
	// EvalData is the validation data scored after every epoch (MXNet's
	// eval_data), with ValidationMetric: nil shares EvalMetric, as MXNet
	// does with a metric instance (the scoring resets it after the Train
	// lines are logged).
	EvalData         DataIter
	ValidationMetric metric.Metric

	// BatchEnd runs after every training batch (MXNet's
	// batch_end_callback); EpochEnd after every epoch, before validation
	// (epoch_end_callback); EvalBatchEnd after every validation batch
	// (eval_batch_end_callback); EvalEnd once after validation scoring
	// (eval_end_callback, e.g. LogValidationMetrics); TrainEnd once after
	// the last epoch and its validation, before the final resumable
	// checkpoint (a final verification). Interrupted in TrainEnd, Fit
	// returns an InterruptedError whose state makes a resumed Fit run it
	// again.
	BatchEnd     []BatchEndCallback
	EpochEnd     []EpochEndCallback
	EvalBatchEnd []BatchEndCallback
	EvalEnd      []BatchEndCallback
	TrainEnd     []BatchEndCallback
	// States are objects whose state travels in resumable checkpoints
	// (TrainState.Callbacks) without being callbacks.
	States []Stateful

	// Optimizer updates the parameters; nil means MXNet's default, "sgd"
	// with learning rate 0.01 and rescale_grad = 1/batch size (NewSGD).
	// An optimizer given is used as is. CreateOptimizer builds one by name.
	Optimizer Optimizer
	// Initializer initialises parameters without an initial value (MXNet's
	// initializer); nil means Uniform(0.01).
	Initializer Initializer
	// ArgParams and AuxParams are initial parameter values (MXNet's
	// arg_params, aux_params), copied into the module's arrays. A nil map
	// means "none given": every parameter of that kind is initialised. A
	// parameter missing from a given map is an error unless AllowMissing
	// (which initialises it); a name the module does not have is an error
	// unless AllowExtra (MXNet ignores those silently). SkipParamInit keeps
	// the module's current values, as MXNet does on a second fit of an
	// initialised module; given values are still copied.
	ArgParams, AuxParams map[string]*nd.Array
	AllowMissing         bool
	AllowExtra           bool
	SkipParamInit        bool

	// KVStore selects how gradients are aggregated (MXNet's kvstore):
	// "" or "local" trains the module alone; "device" trains Devices
	// replicas (0: GOMAXPROCS) in parallel on slices of each batch and sums
	// their gradients (see Replicator).
	KVStore string
	Devices int

	// Logger is the run's logger: Fit's own lines ("Epoch[0] Train-acc=…",
	// "Time cost", "Validation-…") and those of every callback without a
	// logger of its own. Nil means DefaultLogger.
	Logger *slog.Logger
	// Now is the run's clock: "Time cost", resume bookkeeping, event times
	// and every callback without a clock of its own. Nil means time.Now.
	Now func() time.Time
	// Events receive the run's typed events (see package events): every
	// batch, the epoch ends, validations, the starting learning rate, the
	// resumable checkpoints written, and what callbacks emit (Speedometer
	// windows, verifications, learning-rate changes). The text log is
	// written through Logger either way.
	Events []events.Sink

	// SkipPadding drops a batch's padding rows (DataBatch.Pad) before the
	// metric update. MXNet counts them (#7949 was reverted); so does
	// evalkit by default.
	SkipPadding bool

	// Resume continues an interrupted run from its state (see TrainState,
	// InterruptedError, LoadCheckpoint): training starts at Resume.Epoch
	// after Resume.Batch batches, which are skipped by reading them from
	// the iterator (reset first), with the metric and stateful callbacks
	// restored. Pass the checkpoint's parameters in ArgParams/AuxParams and
	// its optimizer state through the optimizer
	// (Checkpoint.RestoreOptimizer).
	Resume *TrainState
	// ResumeCheckpoint, when set, is where Fit saves a resumable
	// checkpoint (parameters, optimizer state, TrainState): every
	// ResumeEvery batches (0: never periodically), when the context is
	// cancelled, and at the end of the run (TrainState.Done). The file is
	// replaced atomically.
	ResumeCheckpoint string
	ResumeEvery      int
}

// ScoreConfig configures Score (MXNet's Module.score arguments).
type ScoreConfig struct {
	// Metric is the metric (MXNet's eval_metric); nil means accuracy.
	Metric metric.Metric
	// NumBatch limits scoring to the first NumBatch batches (MXNet's
	// num_batch); 0 scores every batch.
	NumBatch int
	// Epoch is the epoch number passed to the callbacks.
	Epoch int
	// NoReset continues from the iterator's current position instead of
	// resetting it first (MXNet's reset=False).
	NoReset bool
	// BatchEnd runs after every scored batch (batch_end_callback);
	// ScoreEnd once at the end with NBatch = the number of batches scored
	// (score_end_callback).
	BatchEnd []BatchEndCallback
	ScoreEnd []BatchEndCallback
	// SkipPadding, KVStore and Devices are as in Config.
	SkipPadding bool
	KVStore     string
	Devices     int
	// Logger and Now reach the callbacks, as in Config.
	Logger *slog.Logger
	Now    func() time.Time
}

// config is Fit's and Score's settings with the defaults applied.
type config struct {
	beginEpoch int
	numEpoch   int

	evalData         DataIter
	evalMetric       metric.Metric
	validationMetric metric.Metric

	batchEnd     []BatchEndCallback
	epochEnd     []EpochEndCallback
	evalEnd      []BatchEndCallback
	trainEnd     []BatchEndCallback
	states       []Stateful
	evalBatchEnd []BatchEndCallback
	scoreEnd     []BatchEndCallback

	optimizer    Optimizer
	initializer  Initializer
	argParams    map[string]*nd.Array
	auxParams    map[string]*nd.Array
	allowMissing bool
	allowExtra   bool
	skipInit     bool

	kvstore string
	devices int

	logger      *slog.Logger
	sinks       []events.Sink
	now         func() time.Time
	skipPadding bool

	resume       *TrainState
	resumePath   string
	resumeEvery  int
	numBatch     int
	epoch        int
	noScoreReset bool
}

func (c *config) defaults() {
	if c.kvstore == "" {
		c.kvstore = "local"
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.logger = orDefault(c.logger)
}

func newConfig(f Config) *config {
	c := &config{
		beginEpoch: f.BeginEpoch, numEpoch: f.NumEpoch,
		evalData: f.EvalData, evalMetric: f.EvalMetric, validationMetric: f.ValidationMetric,
		batchEnd: f.BatchEnd, epochEnd: f.EpochEnd, evalEnd: f.EvalEnd, trainEnd: f.TrainEnd, states: f.States,
		evalBatchEnd: f.EvalBatchEnd,
		optimizer:    f.Optimizer, initializer: f.Initializer, argParams: f.ArgParams, auxParams: f.AuxParams,
		allowMissing: f.AllowMissing, allowExtra: f.AllowExtra, skipInit: f.SkipParamInit,
		kvstore: f.KVStore, devices: f.Devices, logger: f.Logger, sinks: f.Events, now: f.Now,
		skipPadding: f.SkipPadding, resume: f.Resume, resumePath: f.ResumeCheckpoint, resumeEvery: f.ResumeEvery,
		numBatch: -1,
	}
	c.defaults()
	return c
}

func newScoreConfig(s ScoreConfig) *config {
	c := &config{
		evalMetric: s.Metric, numBatch: -1, epoch: s.Epoch, noScoreReset: s.NoReset,
		batchEnd: s.BatchEnd, scoreEnd: s.ScoreEnd, skipPadding: s.SkipPadding,
		kvstore: s.KVStore, devices: s.Devices, logger: s.Logger, now: s.Now,
	}
	if s.NumBatch > 0 {
		c.numBatch = s.NumBatch
	}
	c.defaults()
	return c
}
