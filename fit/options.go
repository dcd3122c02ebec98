package fit

import (
	"log/slog"
	"time"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/nd"
)

// Option configures Fit or Score. Options that do not apply to a call are
// ignored by it (e.g. WithNumEpoch in Score).
type Option func(*config)

// config holds every option; its zero value plus defaults() is MXNet's
// defaults.
type config struct {
	beginEpoch  int
	numEpoch    int
	numEpochSet bool

	evalData         DataIter
	evalMetric       any
	validationMetric any

	batchEnd     []BatchEndCallback
	epochEnd     []EpochEndCallback
	evalEnd      []BatchEndCallback
	trainEnd     []BatchEndCallback
	states       []Stateful
	evalBatchEnd []BatchEndCallback
	scoreEnd     []BatchEndCallback

	optimizer       any
	optimizerParams map[string]any
	initializer     Initializer
	argParams       map[string]*nd.Array
	auxParams       map[string]*nd.Array
	allowMissing    bool
	allowExtra      bool
	skipInit        bool

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

func newConfig(opts []Option) *config {
	c := &config{
		evalMetric: "acc",
		optimizer:  "sgd",
		kvstore:    "local",
		numBatch:   -1,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.logger = orDefault(c.logger)
	return c
}

// WithBeginEpoch sets the first epoch number (MXNet's begin_epoch, default
// 0). Epoch numbers in logs and callbacks count from 0.
func WithBeginEpoch(epoch int) Option { return func(c *config) { c.beginEpoch = epoch } }

// WithNumEpoch sets the end epoch, exclusive (MXNet's num_epoch): Fit runs
// epochs begin..n-1. It is required, as in MXNet.
func WithNumEpoch(n int) Option {
	return func(c *config) { c.numEpoch = n; c.numEpochSet = true }
}

// WithEvalData sets the validation data scored after every epoch (MXNet's
// eval_data).
func WithEvalData(it DataIter) Option { return func(c *config) { c.evalData = it } }

// WithEvalMetric sets the training metric (MXNet's eval_metric, default
// "acc"): anything metric.Create accepts — a registry name, a JSON config, a
// metric.Config, a []any list (a composite), or a metric.Metric used as is.
func WithEvalMetric(m any) Option { return func(c *config) { c.evalMetric = m } }

// WithValidationMetric sets the metric for eval data (MXNet's
// validation_metric). Unset, it is the raw WithEvalMetric argument, as in
// MXNet: a name creates a fresh metric every epoch, while a metric.Metric
// instance is shared with training (Score resets it after the Train lines
// are logged).
func WithValidationMetric(m any) Option { return func(c *config) { c.validationMetric = m } }

// WithBatchEndCallback appends callbacks run after every training batch
// (MXNet's batch_end_callback); in Score, after every scored batch.
func WithBatchEndCallback(cbs ...BatchEndCallback) Option {
	return func(c *config) { c.batchEnd = append(c.batchEnd, cbs...) }
}

// WithEpochEndCallback appends callbacks run after every epoch, before
// validation (MXNet's epoch_end_callback).
func WithEpochEndCallback(cbs ...EpochEndCallback) Option {
	return func(c *config) { c.epochEnd = append(c.epochEnd, cbs...) }
}

// WithTrainEndCallback appends callbacks Fit runs once after the last
// epoch and its validation (e.g. a final verification), before the final
// resumable checkpoint; p.Epoch is the last epoch. Interrupted there, Fit
// returns an InterruptedError whose state makes a resumed Fit run them
// again.
func WithTrainEndCallback(cbs ...BatchEndCallback) Option {
	return func(c *config) { c.trainEnd = append(c.trainEnd, cbs...) }
}

// WithState registers objects whose state travels in resumable
// checkpoints (TrainState.Callbacks) without being callbacks: restored
// when resuming, saved with every resumable checkpoint.
func WithState(states ...Stateful) Option {
	return func(c *config) { c.states = append(c.states, states...) }
}

// WithEvalEndCallback appends callbacks run once after validation scoring
// (MXNet's eval_end_callback, Score's score_end_callback), e.g.
// LogValidationMetrics.
func WithEvalEndCallback(cbs ...BatchEndCallback) Option {
	return func(c *config) { c.evalEnd = append(c.evalEnd, cbs...) }
}

// WithEvalBatchEndCallback appends callbacks run after every validation
// batch (MXNet's eval_batch_end_callback).
func WithEvalBatchEndCallback(cbs ...BatchEndCallback) Option {
	return func(c *config) { c.evalBatchEnd = append(c.evalBatchEnd, cbs...) }
}

// WithScoreEndCallback appends callbacks Score runs once at its end with
// NBatch = the number of batches scored (MXNet's score_end_callback).
func WithScoreEndCallback(cbs ...BatchEndCallback) Option {
	return func(c *config) { c.scoreEnd = append(c.scoreEnd, cbs...) }
}

// WithOptimizer sets the optimizer (MXNet's optimizer, default "sgd"): a
// name registered with RegisterOptimizer, built with WithOptimizerParams,
// or an Optimizer used as is.
func WithOptimizer(opt any) Option { return func(c *config) { c.optimizer = opt } }

// WithOptimizerParams sets the parameters of a named optimizer (MXNet's
// optimizer_params, default learning_rate 0.01). As in MXNet, rescale_grad
// defaults to 1/batch size when not given.
func WithOptimizerParams(p map[string]any) Option {
	return func(c *config) { c.optimizerParams = p }
}

// WithInitializer sets the initializer for parameters without an initial
// value (MXNet's initializer, default Uniform(0.01)).
func WithInitializer(init Initializer) Option { return func(c *config) { c.initializer = init } }

// WithArgParams sets initial parameter values (MXNet's arg_params and
// aux_params), copied into the module's arrays. A nil map means "none
// given": every parameter of that kind is initialised. A parameter missing
// from a given map is an error unless WithAllowMissing; a name the module
// does not have is an error unless WithAllowExtra.
func WithArgParams(arg, aux map[string]*nd.Array) Option {
	return func(c *config) { c.argParams, c.auxParams = arg, aux }
}

// WithAllowMissing initialises parameters missing from WithArgParams
// instead of failing (MXNet's allow_missing).
func WithAllowMissing(allow bool) Option { return func(c *config) { c.allowMissing = allow } }

// WithAllowExtra ignores names in WithArgParams the module does not have,
// as MXNet's Module.fit does silently. evalkit's default is an error.
func WithAllowExtra(allow bool) Option { return func(c *config) { c.allowExtra = allow } }

// WithSkipParamInit keeps the module's current parameter values, as MXNet
// does on a second fit of an initialised module ("init_params call
// ignored"). Initial values from WithArgParams are still copied.
func WithSkipParamInit() Option { return func(c *config) { c.skipInit = true } }

// WithKVStore selects how gradients are aggregated (MXNet's kvstore, default
// "local"): "local" trains the module alone; "device" trains WithDevices
// replicas in parallel on slices of each batch and sums their gradients
// (see Replicator).
func WithKVStore(kv string) Option { return func(c *config) { c.kvstore = kv } }

// WithDevices sets the number of replicas of the "device" kvstore (MXNet's
// len(ctx)); 0, the default, means runtime.GOMAXPROCS(0).
func WithDevices(n int) Option { return func(c *config) { c.devices = n } }

// WithLogger sets the run's logger: Fit's own lines ("Epoch[0]
// Train-acc=…", "Time cost", "Validation-…") and those of every callback
// without a logger of its own (BatchEndParam.Logger). Nil means
// DefaultLogger.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithEvents adds sinks receiving the run's typed events (see package
// events): every batch (events.BatchEnd), the epoch ends, validations, the
// resumable checkpoints written, and what callbacks emit (Speedometer
// windows, verifications, learning-rate changes). The text log is written
// through WithLogger either way.
func WithEvents(sinks ...events.Sink) Option {
	return func(c *config) { c.sinks = append(c.sinks, sinks...) }
}

// WithClock sets the run's clock: the "Time cost" line, resume
// bookkeeping, event times and every callback without a clock of its own
// (BatchEndParam.Now). Default time.Now; tests pass a fake clock.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithSkipPadding drops a batch's padding rows (DataBatch.Pad) before the
// metric update. MXNet counts them (#7949 was reverted); so does evalkit by
// default.
func WithSkipPadding(skip bool) Option { return func(c *config) { c.skipPadding = skip } }

// WithResume continues an interrupted run from st (see TrainState,
// InterruptedError, LoadCheckpoint): training starts at st.Epoch after
// st.Batch batches, which are skipped by reading them from the iterator
// (reset first), with the metric and stateful callbacks restored. Pass the
// checkpoint's parameters with WithArgParams and its optimizer state through
// the optimizer (Checkpoint.RestoreOptimizer).
func WithResume(st *TrainState) Option { return func(c *config) { c.resume = st } }

// WithResumeCheckpoint makes Fit save a resumable checkpoint (parameters,
// optimizer state, TrainState) to path every `every` batches (0: only on
// interruption), when the context is cancelled, and at the end of the
// run (TrainState.Done). The file is replaced atomically.
func WithResumeCheckpoint(path string, every int) Option {
	return func(c *config) { c.resumePath, c.resumeEvery = path, every }
}

// WithNumBatch limits Score to the first n batches (MXNet's num_batch).
func WithNumBatch(n int) Option { return func(c *config) { c.numBatch = n } }

// WithEpoch sets the epoch number Score passes to its callbacks (MXNet's
// score epoch argument).
func WithEpoch(epoch int) Option { return func(c *config) { c.epoch = epoch } }

// WithoutReset makes Score continue from the iterator's current position
// instead of resetting it first (MXNet's reset=False).
func WithoutReset() Option { return func(c *config) { c.noScoreReset = true } }
