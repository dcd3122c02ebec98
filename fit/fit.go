package fit

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

// Fit trains mod on train, MXNet 1.9.1's Module.fit, in exactly its order
// (python/mxnet/module/base_module.py):
//
//	initialise parameters (ArgParams, Initializer) and the optimizer
//	for each epoch in [begin, num):
//	    tic; metric.Reset()
//	    for each batch: forward+backward, update, update_metric,
//	                    fetch the next batch,
//	                    on the last batch read the metric's global values,
//	                    batch-end callbacks
//	    log "Epoch[e] Train-<name>=<value>" per value, "Epoch[e] Time cost=<s>"
//	    epoch-end callbacks (checkpoints)
//	    with eval data: Score, log "Epoch[e] Validation-<name>=<value>"
//	    train.Reset()
//
// Errors from the module, the iterator, the metric and callbacks stop
// training and come back wrapped with the epoch and batch; a callback
// returning ErrStop ends training cleanly (Fit returns nil). A NaN loss (the
// last output, when it is a single value) stops training before its update
// with an error wrapping ErrNaNLoss; no callback runs for that batch, so no
// checkpoint holds the result. Cancelling ctx stops after the
// current batch and returns an *InterruptedError with a resumable state.
func Fit(ctx context.Context, mod Module, train DataIter, cfg Config) error {
	c := newConfig(cfg)
	if mod == nil {
		return errors.New("fit: nil module")
	}
	if train == nil {
		return errors.New("fit: nil training iterator")
	}
	if c.numEpoch == 0 {
		return errors.New("fit: please specify number of epochs (Config.NumEpoch)")
	}
	r := &run{c: c, mod: mod, train: train, log: c.logger}
	if len(c.sinks) > 0 {
		r.sink = events.Multi(c.sinks)
	}
	if err := r.setup(); err != nil {
		return err
	}
	defer r.ex.close()
	begin := c.beginEpoch
	if st := c.resume; st != nil {
		begin = st.Epoch
		if st.Done && begin >= c.numEpoch {
			return nil
		}
	}
	if r.sink != nil { // the starting rate, for curves of it
		batch := 0
		if c.resume != nil {
			batch = c.resume.Batch
		}
		if err := r.sink.Emit(events.LearningRate{Position: r.position(c.now(), begin, batch), Rate: r.opt.LearningRate()}); err != nil {
			return fmt.Errorf("fit: event sink: %w", err)
		}
	}
	if c.resume != nil {
		if err := r.pendingValidation(ctx); err != nil {
			return err
		}
	}
	for epoch := begin; epoch < c.numEpoch; epoch++ {
		if err := ctx.Err(); err != nil {
			return r.interrupt(epoch, 0, c.now(), err)
		}
		if err := r.epoch(ctx, epoch); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return r.end(ctx, max(begin, c.numEpoch))
}

// run is one Fit call's state.
type run struct {
	c      *config
	mod    Module
	train  DataIter
	log    *slog.Logger
	ex     *executor
	bind   *binding
	opt    Optimizer
	metric metric.Metric
	valM   metric.Metric
	evalBd *binding
	steps  int // batches trained in this call, for ResumeEvery
	global int // global step: batches trained since the run began
	// pendingVal: the last epoch's validation is not done; done: the
	// train-end callbacks ran. Both go into the resumable state.
	pendingVal, done bool
	sink             events.Sink
	cbs              []any // every callback, for Stateful
}

func (r *run) setup() error {
	c := r.c
	arg, aux := r.mod.Params()
	if !c.skipInit || c.argParams != nil || c.auxParams != nil {
		init := c.initializer
		if init == nil {
			init = NewUniform(0.01, 0)
		}
		if err := initParams(arg, aux, c.argParams, c.auxParams, init, c.allowMissing, c.allowExtra, c.skipInit); err != nil {
			return err
		}
	}
	bd, err := newBinding(r.train, deviceCount(c))
	if err != nil {
		return fmt.Errorf("fit: training data: %w", err)
	}
	r.bind = bd
	opt := makeOptimizer(c, bd.batchSize)
	r.opt = opt
	if err := r.mod.InitOptimizer(opt); err != nil {
		return fmt.Errorf("fit: init optimizer: %w", err)
	}
	if c.resume != nil && c.resume.LearningRate > 0 {
		opt.SetLearningRate(c.resume.LearningRate)
	}
	ex, err := newExecutor(r.mod, c.kvstore, deviceCount(c))
	if err != nil {
		return err
	}
	r.ex = ex
	m, err := orAccuracy(c.evalMetric)
	if err != nil {
		ex.close()
		return fmt.Errorf("fit: eval metric: %w", err)
	}
	r.metric = m
	r.valM = c.validationMetric
	if r.valM == nil {
		r.valM = m
	}
	if c.evalData != nil {
		if r.evalBd, err = newBinding(c.evalData, len(ex.mods)); err != nil {
			ex.close()
			return fmt.Errorf("fit: eval data: %w", err)
		}
	}
	for _, cb := range c.batchEnd {
		r.cbs = append(r.cbs, cb)
	}
	for _, cb := range c.epochEnd {
		r.cbs = append(r.cbs, cb)
	}
	for _, cb := range c.trainEnd {
		r.cbs = append(r.cbs, cb)
	}
	for _, s := range c.states {
		r.cbs = append(r.cbs, s)
	}
	if c.resume != nil {
		if c.resume.Epoch < 0 || c.resume.Batch < 0 {
			ex.close()
			return fmt.Errorf("fit: resume state has a negative position (epoch %d, batch %d)", c.resume.Epoch, c.resume.Batch)
		}
		r.global = c.resume.Step
		if err := restoreStates(c.resume.Callbacks, r.cbs); err != nil {
			ex.close()
			return err
		}
	}
	return nil
}

// deviceCount is the number of replicas the kvstore option asks for.
func deviceCount(c *config) int {
	if c.kvstore != "device" {
		return 1
	}
	if c.devices > 0 {
		return c.devices
	}
	return defaultDevices()
}

// makeOptimizer returns the configured optimizer, or MXNet's default:
// "sgd" with learning rate 0.01 and rescale_grad = 1/batch size.
func makeOptimizer(c *config, batchSize int) Optimizer {
	if c.optimizer != nil {
		return c.optimizer
	}
	s := NewSGD(0.01)
	s.RescaleGrad = 1 / float64(batchSize)
	return s
}

// orAccuracy returns m, or MXNet's default metric "acc".
func orAccuracy(m metric.Metric) (metric.Metric, error) {
	if m != nil {
		return m, nil
	}
	return metric.Create("acc", nil)
}

// initParams is MXNet's init_params: for each parameter in name order, copy
// the given value, or initialise it when no map of its kind is given or
// allowMissing is set; a missing value is otherwise an error, as is (unless
// allowExtra) a given name the module does not have. Everything is checked
// before anything is written.
func initParams(arg, aux, argIn, auxIn map[string]*nd.Array, init Initializer, allowMissing, allowExtra, skipInit bool) error {
	type job struct {
		name string
		dst  *nd.Array
		src  *nd.Array // nil: initialise
	}
	var jobs []job
	for _, kind := range []struct {
		what   string
		params map[string]*nd.Array
		given  map[string]*nd.Array
	}{{"arg", arg, argIn}, {"aux", aux, auxIn}} {
		for _, name := range sortedKeys(kind.params) {
			dst := kind.params[name]
			if dst == nil {
				return fmt.Errorf("fit: the module's %s parameter %q is nil", kind.what, name)
			}
			if kind.given != nil {
				if src, ok := kind.given[name]; ok {
					if src == nil {
						return fmt.Errorf("fit: initial %s parameter %q is nil", kind.what, name)
					}
					if !nd.SameShape(src, dst) {
						return fmt.Errorf("fit: initial %s parameter %q has shape %s; the module's is %s", kind.what, name, nd.ShapeString(src.Shape()), nd.ShapeString(dst.Shape()))
					}
					if !sameStorage(src, dst) {
						return fmt.Errorf("fit: initial %s parameter %q is %s; the module's is %s", kind.what, name, src, dst)
					}
					jobs = append(jobs, job{name, dst, src})
					continue
				}
				if !allowMissing {
					return fmt.Errorf("fit: %s parameter %s is not presented (set Config.AllowMissing to initialise it)", kind.what, name)
				}
			}
			if !skipInit {
				jobs = append(jobs, job{name, dst, nil})
			}
		}
		if kind.given != nil && !allowExtra {
			var extra []string
			for name := range kind.given {
				if _, ok := kind.params[name]; !ok {
					extra = append(extra, name)
				}
			}
			if len(extra) > 0 {
				sort.Strings(extra)
				return fmt.Errorf("fit: initial %s parameters %q are not parameters of the module (set Config.AllowExtra to ignore them)", kind.what, extra)
			}
		}
	}
	for _, j := range jobs {
		if j.src != nil {
			copyInto(j.dst, j.src)
			continue
		}
		if err := init.Init(j.name, j.dst); err != nil {
			return fmt.Errorf("fit: initialising %q: %w", j.name, err)
		}
	}
	return nil
}

func sameStorage(a, b *nd.Array) bool {
	return (a.Float32s() != nil) == (b.Float32s() != nil) && (a.Float64s() != nil) == (b.Float64s() != nil)
}

// epoch runs one epoch.
func (r *run) epoch(ctx context.Context, epoch int) error {
	c := r.c
	tic := c.now()
	nbatch := 0
	m := r.metric
	if st := c.resume; st != nil && st.Epoch == epoch {
		c.resume = nil
		tic = tic.Add(-time.Duration(st.EpochElapsed * float64(time.Second)))
		m.Reset()
		if st.Metric != nil {
			if err := m.SetState(*st.Metric); err != nil {
				return fmt.Errorf("fit: resume: restoring the metric: %w", err)
			}
		}
		if st.Batch > 0 {
			if err := r.train.Reset(); err != nil {
				return fmt.Errorf("fit: resume: resetting the training iterator: %w", err)
			}
			for i := 0; i < st.Batch; i++ {
				if _, err := r.train.Next(); err != nil {
					if errors.Is(err, io.EOF) {
						return fmt.Errorf("fit: resume: epoch %d has only %d batches; the state says %d are done", epoch, i, st.Batch)
					}
					return fmt.Errorf("fit: resume: skipping batch %d of epoch %d: %w", i, epoch, err)
				}
			}
		}
		nbatch = st.Batch
	} else {
		m.Reset()
	}
	next, err := r.train.Next()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("fit: epoch %d: the training iterator yielded no batches", epoch)
	}
	if err != nil {
		return fmt.Errorf("fit: epoch %d batch %d: reading the batch: %w", epoch, nbatch, err)
	}
	var nameVals []metric.NameValue
	pendingSave := false
	for end := false; !end; {
		batch := next
		if err := r.step(epoch, nbatch, batch); err != nil {
			return err
		}
		next, err = r.train.Next()
		if errors.Is(err, io.EOF) {
			end = true
		} else if err != nil {
			return fmt.Errorf("fit: epoch %d batch %d: reading the batch: %w", epoch, nbatch+1, err)
		}
		if end {
			nameVals = metric.GlobalValues(m)
		}
		r.global++
		p := BatchEndParam{Epoch: epoch, NBatch: nbatch, EvalMetric: m, Module: r.mod, Optimizer: r.opt, Context: ctx,
			Step: r.global, Logger: r.log, Now: c.now, Events: r.sink}
		if r.sink != nil {
			ev := events.BatchEnd{Position: p.position(nil), Samples: batchRows(batch), Values: metric.LocalValues(m)}
			if err := r.sink.Emit(ev); err != nil {
				return fmt.Errorf("fit: epoch %d batch %d: event sink: %w", epoch, nbatch, err)
			}
		}
		for _, cb := range c.batchEnd {
			if err := cb.BatchEnd(p); err != nil {
				if errors.Is(err, ErrStop) {
					return ErrStop
				}
				return fmt.Errorf("fit: epoch %d batch %d: batch-end callback: %w", epoch, nbatch, err)
			}
		}
		nbatch++
		r.steps++
		due := c.resumePath != "" && c.resumeEvery > 0 && r.steps%c.resumeEvery == 0
		if end {
			pendingSave = pendingSave || due
			break
		}
		if due {
			if _, err := r.saveResume(epoch, nbatch, tic); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return r.interrupt(epoch, nbatch, tic, err)
		}
	}
	toc := c.now()
	if nameVals == nil {
		nameVals = []metric.NameValue{}
	}
	if err := r.emit(events.EpochEnd{Position: r.position(toc, epoch, nbatch), Train: nameVals, TimeCost: toc.Sub(tic).Seconds()}); err != nil {
		return fmt.Errorf("fit: epoch %d: %w", epoch, err)
	}
	r.ex.syncAux()
	arg, aux := r.mod.Params()
	ep := EpochEndParam{Epoch: epoch, Arg: arg, Aux: aux, Module: r.mod, Optimizer: r.opt, EvalMetric: m,
		Step: r.global, Logger: r.log, Now: c.now, Events: r.sink}
	for _, cb := range c.epochEnd {
		if err := cb.EpochEnd(ep); err != nil {
			if errors.Is(err, ErrStop) {
				return ErrStop
			}
			return fmt.Errorf("fit: epoch %d: epoch-end callback: %w", epoch, err)
		}
	}
	valErr, err := r.validate(ctx, epoch, nbatch)
	if err != nil {
		return err
	}
	r.pendingVal = valErr != nil
	if err := r.train.Reset(); err != nil {
		return fmt.Errorf("fit: epoch %d: resetting the training iterator: %w", epoch, err)
	}
	if pendingSave {
		if _, err := r.saveResume(epoch+1, 0, c.now()); err != nil {
			return err
		}
	}
	if valErr != nil {
		return r.interrupt(epoch+1, 0, c.now(), valErr)
	}
	return nil
}

// validate scores the validation data after epoch (nbatch batches) and
// logs the Validation lines. A cancelled context comes back as valErr, any
// other failure as err.
func (r *run) validate(ctx context.Context, epoch, nbatch int) (valErr, err error) {
	c := r.c
	if c.evalData == nil {
		return nil, nil
	}
	res, err := score(ctx, r.ex, r.evalBd, c.evalData, r.valM, scoreArgs{
		epoch: epoch, numBatch: -1, reset: true, skipPad: c.skipPadding,
		batchEnd: c.evalBatchEnd, scoreEnd: c.evalEnd, opt: r.opt, logger: r.log, now: c.now,
	})
	switch {
	case err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return err, nil
	case err != nil:
		return nil, fmt.Errorf("fit: epoch %d: validation: %w", epoch, err)
	}
	if err := r.emit(events.Validation{Position: r.position(c.now(), epoch, nbatch), Values: res}); err != nil {
		return nil, fmt.Errorf("fit: epoch %d: %w", epoch, err)
	}
	return nil, nil
}

// pendingValidation runs the validation an interrupted run left undone.
func (r *run) pendingValidation(ctx context.Context) error {
	st := r.c.resume
	if st == nil || !st.PendingValidation || st.Epoch < 1 {
		return nil
	}
	r.pendingVal = true
	valErr, err := r.validate(ctx, st.Epoch-1, 0)
	if err != nil {
		return err
	}
	if valErr != nil {
		return r.interrupt(st.Epoch, 0, r.c.now(), valErr)
	}
	r.pendingVal = false
	return nil
}

// end runs the train-end callbacks and writes the final resumable
// checkpoint, marked Done.
func (r *run) end(ctx context.Context, epoch int) error {
	c := r.c
	p := BatchEndParam{Epoch: epoch - 1, NBatch: 0, EvalMetric: r.metric, Module: r.mod, Optimizer: r.opt, Context: ctx,
		Step: r.global, Logger: r.log, Now: c.now, Events: r.sink}
	for _, cb := range c.trainEnd {
		if err := cb.BatchEnd(p); err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return r.interrupt(epoch, 0, c.now(), err)
			}
			return fmt.Errorf("fit: train-end callback: %w", err)
		}
	}
	if c.resumePath == "" {
		return nil
	}
	r.done = true
	_, err := r.saveResume(epoch, 0, c.now())
	return err
}

// step trains one batch: check, forward+backward, NaN guard, update,
// update_metric.
func (r *run) step(epoch, nbatch int, batch *DataBatch) error {
	if err := r.ex.check(r.bind, batch); err != nil {
		return fmt.Errorf("fit: epoch %d batch %d: %w", epoch, nbatch, err)
	}
	if err := r.ex.forward(r.bind, batch, true); err != nil {
		return fmt.Errorf("fit: epoch %d batch %d: %w", epoch, nbatch, err)
	}
	// The NaN guard: the last output, when it holds a single value (the
	// loss of insightface's layout).
	{
		if err := r.ex.checkLoss(-1, false); err != nil {
			return fmt.Errorf("fit: epoch %d batch %d: %w; training stopped before this batch's update, so the parameters and every checkpoint written are from earlier batches", epoch, nbatch, err)
		}
	}
	if err := r.ex.update(); err != nil {
		return fmt.Errorf("fit: epoch %d batch %d: %w", epoch, nbatch, err)
	}
	if err := r.ex.updateMetric(r.metric, batch, r.c.skipPadding); err != nil {
		return fmt.Errorf("fit: epoch %d batch %d: %w", epoch, nbatch, err)
	}
	return nil
}

// emit writes e to the run's text log and sends it to its sinks.
func (r *run) emit(e events.Event) error {
	if err := (LogSink{Logger: r.log}).Emit(e); err != nil {
		return err
	}
	if r.sink != nil {
		if err := r.sink.Emit(e); err != nil {
			return fmt.Errorf("event sink: %w", err)
		}
	}
	return nil
}

// position is the run's position at time t.
func (r *run) position(t time.Time, epoch, batch int) events.Position {
	return events.Position{Time: t, Epoch: epoch, Batch: batch, Step: r.global}
}

// batchRows is the number of rows of b the update used, padding excluded.
func batchRows(b *DataBatch) int {
	if b == nil || len(b.Data) == 0 || b.Data[0] == nil || b.Data[0].NDim() == 0 {
		return 0
	}
	return max(b.Data[0].Len()-b.Pad, 0)
}

// state builds the resumable state at (epoch, batch).
func (r *run) state(epoch, batch int, tic time.Time) (*TrainState, error) {
	st := &TrainState{Epoch: epoch, Batch: batch, Step: r.global, PendingValidation: r.pendingVal, Done: r.done, EpochElapsed: r.c.now().Sub(tic).Seconds(), LearningRate: r.opt.LearningRate()}
	if batch > 0 {
		// Without the metric's statistics a resumed epoch's Train values
		// would differ from an uninterrupted one's: no checkpoint then.
		ms, err := r.metric.State()
		if err != nil {
			return nil, fmt.Errorf("fit: resumable state: the training metric's state: %w", err)
		}
		st.Metric = &ms
	} else {
		st.EpochElapsed = 0
	}
	cb, err := collectStates(nil, r.cbs)
	if err != nil {
		return nil, err
	}
	st.Callbacks = cb
	return st, nil
}

// saveResume writes the resumable checkpoint at (epoch, batch).
func (r *run) saveResume(epoch, batch int, tic time.Time) (*TrainState, error) {
	st, err := r.state(epoch, batch, tic)
	if err != nil {
		return nil, err
	}
	arg, aux := r.ex.snapshot()
	ck := &Checkpoint{Arg: arg, Aux: aux, State: st}
	if bm, ok := r.opt.(encoding.BinaryMarshaler); ok {
		b, err := bm.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("fit: resumable checkpoint: optimizer state: %w", err)
		}
		ck.Optimizer = b
	}
	if err := SaveCheckpoint(r.c.resumePath, ck); err != nil {
		return nil, err
	}
	if r.sink != nil {
		ev := events.Checkpoint{Position: r.position(r.c.now(), epoch, batch), Path: r.c.resumePath, Resumable: true}
		if err := r.sink.Emit(ev); err != nil {
			return nil, fmt.Errorf("fit: event sink: %w", err)
		}
	}
	return st, nil
}

// interrupt builds the InterruptedError (saving the resumable checkpoint
// when configured).
func (r *run) interrupt(epoch, batch int, tic time.Time, cause error) error {
	ie := &InterruptedError{Epoch: epoch, Batch: batch, Err: cause}
	if r.c.resumePath != "" {
		st, err := r.saveResume(epoch, batch, tic)
		if err != nil {
			return fmt.Errorf("%v; saving the resumable checkpoint failed: %w", ie.Error(), err)
		}
		ie.State, ie.Checkpoint = st, r.c.resumePath
		return ie
	}
	st, err := r.state(epoch, batch, tic)
	if err != nil {
		return fmt.Errorf("%v; %w", ie.Error(), err)
	}
	ie.State = st
	return ie
}
