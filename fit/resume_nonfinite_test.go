package fit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

func lossMetric(t *testing.T) metric.Metric {
	t.Helper()
	m, err := metric.NewLoss("Loss", metric.Options{OutputNames: []string{"ce_loss_output"}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// nonFiniteStateRoundTrips reports whether the metric package exports
// non-finite statistics losslessly (issue 8 item 1, metric side).
func nonFiniteStateRoundTrips(t *testing.T) bool {
	a, b := lossMetric(t), lossMetric(t)
	pred := nd.Must(nd.FromFloat32([]float32{float32(math.Inf(1))}, 1))
	if err := a.Update(nil, []*nd.Array{pred}); err != nil {
		t.Fatal(err)
	}
	st, err := a.State()
	if err != nil || b.SetState(st) != nil {
		return false
	}
	_, va := a.GetGlobal()
	_, vb := b.GetGlobal()
	return math.IsInf(vb[0], 1) && math.IsInf(va[0], 1)
}

// Property (issue 8): interrupting a run and resuming it gives the log of
// the uninterrupted run, also when the training metric's sums hold NaN or
// ±Inf (the loss output of a batch is x+1 for the batch's first value x).
func TestResumeNonFinite(t *testing.T) {
	if !nonFiniteStateRoundTrips(t) {
		t.Fatal("the metric package does not export non-finite statistics losslessly (issue 8 item 1)")
	}
	inf := math.Inf(1)
	for _, c := range []struct {
		name string
		vals map[int]float64 // batch → its loss-input value
		stop int             // cancel after this batch of epoch 0
	}{
		{"+inf", map[int]float64{2: inf}, 3},
		{"-inf", map[int]float64{0: -inf}, 1},
		// A NaN loss stops training (the NaN guard); +inf + -inf makes
		// the sum NaN.
		{"nan sum, stop before", map[int]float64{1: inf, 3: -inf}, 2},
		{"nan sum, stop after", map[int]float64{1: inf, 3: -inf}, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			iter := func() *sliceIter {
				it := spec79Iter()
				for b, v := range c.vals {
					it.batches[b].Data[0].Float32s()[0] = float32(v)
				}
				return it
			}
			fitRun := func(ctx context.Context, set func(*Config)) (*scriptedModule, []string, error) {
				log, buf := captureLogger()
				clock := newFakeClock() // the log's Time cost lines come from the run's clock
				mod := newScripted(clock)
				cfg := Config{NumEpoch: 2, EvalMetric: lossMetric(t), Logger: log, Optimizer: NewSGD(0.1), Initializer: NewUniform(0.5, 7), Now: clock.Now}
				if set != nil {
					set(&cfg)
				}
				err := Fit(ctx, mod, iter(), cfg)
				return mod, lines(buf), err
			}
			_, want, err := fitRun(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			path := filepath.Join(t.TempDir(), "resume.npz")
			_, first, err := fitRun(ctx, func(cfg *Config) {
				cfg.ResumeCheckpoint, cfg.BatchEnd = path, []BatchEndCallback{cancelAt{0, c.stop, cancel}}
			})
			var ie *InterruptedError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v", err)
			}
			ck, err := LoadCheckpoint(path)
			if err != nil {
				t.Fatal(err)
			}
			_, second, err := fitRun(context.Background(), func(cfg *Config) { cfg.Resume, cfg.ArgParams, cfg.AuxParams = ck.State, ck.Arg, ck.Aux })
			if err != nil {
				t.Fatal(err)
			}
			if d := diffLines(append(first, second...), want); d != "" {
				t.Errorf("resumed log differs:\n%s", d)
			}
		})
	}
}

// Issue 8: Ctrl-C during the last epoch's validation, or during the
// train-end work (the final verification), used to leave a checkpoint at
// the end epoch that a resume refused; the resumed run now does what the
// interrupted one had not: the validation, the train-end callbacks, the
// final checkpoint.
func TestResumeFinishesInterruptedEnd(t *testing.T) {
	for _, where := range []string{"validation", "train end"} {
		t.Run(where, func(t *testing.T) {
			fitRun := func(ctx context.Context, cancel context.CancelFunc, set func(*Config)) ([]string, error) {
				log, buf := captureLogger()
				final := BatchEndFunc(func(p BatchEndParam) error {
					if where == "train end" && cancel != nil {
						cancel()
						return p.Ctx().Err()
					}
					p.log(nil).Info(fmt.Sprintf("final verification after epoch %d", p.Epoch))
					return nil
				})
				clock := newFakeClock()
				cfg := Config{NumEpoch: 2, EvalMetric: metric.NewAccuracy(1, metric.Options{OutputNames: []string{"softmax_output"}}),
					EvalData: spec79Iter(), Logger: log, Optimizer: NewSGD(0.1), Initializer: NewUniform(0.5, 7),
					TrainEnd: []BatchEndCallback{final}, Now: clock.Now}
				if where == "validation" && cancel != nil {
					cfg.EvalBatchEnd = []BatchEndCallback{cancelAt{1, 3, cancel}}
				}
				if set != nil {
					set(&cfg)
				}
				err := Fit(ctx, newScripted(clock), spec79Iter(), cfg)
				return lines(buf), err
			}
			want, err := fitRun(context.Background(), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want[len(want)-1] != "final verification after epoch 1" {
				t.Fatalf("uninterrupted log ends %q", want[len(want)-1])
			}
			ctx, cancel := context.WithCancel(context.Background())
			path := filepath.Join(t.TempDir(), "resume.npz")
			first, err := fitRun(ctx, cancel, func(c *Config) { c.ResumeCheckpoint = path })
			var ie *InterruptedError
			if !errors.As(err, &ie) || ie.Epoch != 2 || ie.Batch != 0 {
				t.Fatalf("err = %v", err)
			}
			ck, err := LoadCheckpoint(path)
			if err != nil {
				t.Fatal(err)
			}
			if ck.State.Done || ck.State.PendingValidation != (where == "validation") {
				t.Fatalf("state %+v", ck.State)
			}
			second, err := fitRun(context.Background(), nil, func(c *Config) {
				c.Resume, c.ArgParams, c.AuxParams, c.ResumeCheckpoint = ck.State, ck.Arg, ck.Aux, path
			})
			if err != nil {
				t.Fatal(err)
			}
			if d := diffLines(append(first, second...), want); d != "" {
				t.Errorf("interrupted + resumed log differs from the uninterrupted one:\n%s", d)
			}
			if ck, err = LoadCheckpoint(path); err != nil || !ck.State.Done || ck.State.Epoch != 2 {
				t.Fatalf("final state %+v, %v", ck.State, err)
			}
			// Resuming a finished run does nothing.
			third, err := fitRun(context.Background(), nil, func(c *Config) { c.Resume, c.ArgParams, c.AuxParams = ck.State, ck.Arg, ck.Aux })
			if err != nil || len(third) != 0 {
				t.Errorf("resuming a finished run: %v, log %q", err, third)
			}
		})
	}
}
