package fit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"time"

	"github.com/evalkit/evalkit/metric"
)

// Score runs mod over data in inference mode and returns the metric's local
// values, MXNet 1.9.1's Module.score (python/mxnet/module/base_module.py):
//
//	data.Reset() (unless NoReset); metric.Reset()
//	for each batch (at most NumBatch): forward, update_metric,
//	    batch-end callbacks (BatchEnd) with NBatch = index
//	score-end callbacks (ScoreEnd) with NBatch = batches run
//	return metric.GetNameValue()      (local values, as MXNet)
//
// With KVStore "device" each batch is split across Devices replicas and the
// metric is updated once per slice. Cancelling ctx stops after the current batch with the
// context's error.
func Score(ctx context.Context, mod Module, data DataIter, cfg ScoreConfig) ([]metric.NameValue, error) {
	c := newScoreConfig(cfg)
	if mod == nil {
		return nil, errors.New("fit: score: nil module")
	}
	if data == nil {
		return nil, errors.New("fit: score: nil iterator")
	}
	devices := deviceCount(c)
	bd, err := newBinding(data, devices)
	if err != nil {
		return nil, fmt.Errorf("fit: score: %w", err)
	}
	ex, err := newExecutor(mod, c.kvstore, devices)
	if err != nil {
		return nil, err
	}
	defer ex.close()
	m, err := orAccuracy(c.evalMetric)
	if err != nil {
		return nil, fmt.Errorf("fit: score: %w", err)
	}
	return score(ctx, ex, bd, data, m, scoreArgs{
		epoch: c.epoch, numBatch: c.numBatch, reset: !c.noScoreReset, skipPad: c.skipPadding,
		batchEnd: c.batchEnd, scoreEnd: c.scoreEnd, logger: c.logger, now: c.now,
	})
}

func defaultDevices() int { return runtime.GOMAXPROCS(0) }

type scoreArgs struct {
	epoch, numBatch    int
	reset, skipPad     bool
	batchEnd, scoreEnd []BatchEndCallback
	opt                Optimizer
	logger             *slog.Logger
	now                func() time.Time
}

func score(ctx context.Context, ex *executor, bd *binding, data DataIter, m metric.Metric, a scoreArgs) ([]metric.NameValue, error) {
	if a.reset {
		if err := data.Reset(); err != nil {
			return nil, fmt.Errorf("fit: score: resetting the iterator: %w", err)
		}
	}
	m.Reset()
	n := 0
	for nbatch := 0; ; nbatch++ {
		if a.numBatch >= 0 && nbatch == a.numBatch {
			break
		}
		b, err := data.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("fit: score: batch %d: reading the batch: %w", nbatch, err)
		}
		if err := ex.check(bd, b); err != nil {
			return nil, fmt.Errorf("fit: score: batch %d: %w", nbatch, err)
		}
		if err := ex.forward(bd, b, false); err != nil {
			return nil, fmt.Errorf("fit: score: batch %d: %w", nbatch, err)
		}
		if err := ex.updateMetric(m, b, a.skipPad); err != nil {
			return nil, fmt.Errorf("fit: score: batch %d: %w", nbatch, err)
		}
		p := BatchEndParam{Epoch: a.epoch, NBatch: nbatch, EvalMetric: m, Module: ex.mods[0], Optimizer: a.opt, Context: ctx, Logger: a.logger, Now: a.now}
		for _, cb := range a.batchEnd {
			if err := cb.BatchEnd(p); err != nil {
				return nil, fmt.Errorf("fit: score: batch %d: batch-end callback: %w", nbatch, err)
			}
		}
		n++
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("fit: score: stopped after %d batches: %w", n, err)
		}
	}
	p := BatchEndParam{Epoch: a.epoch, NBatch: n, EvalMetric: m, Module: ex.mods[0], Optimizer: a.opt, Context: ctx, Logger: a.logger, Now: a.now}
	for _, cb := range a.scoreEnd {
		if err := cb.BatchEnd(p); err != nil {
			return nil, fmt.Errorf("fit: score: score-end callback: %w", err)
		}
	}
	return metric.LocalValues(m), nil
}
