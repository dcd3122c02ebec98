package fit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/metric"
)

type cancelAt struct {
	epoch, batch int
	cancel       context.CancelFunc
}

func (c cancelAt) BatchEnd(p BatchEndParam) error {
	if p.Epoch == c.epoch && p.NBatch == c.batch {
		c.cancel()
	}
	return nil
}

// resumeRun is one Fit call of the resume scenario.
type resumeRun struct {
	clock *fakeClock
	log   *slog.Logger
	mod   *scriptedModule
	opt   *SGD
}

func newResumeRun(clock *fakeClock, log *slog.Logger) *resumeRun {
	opt := NewSGD(0.1)
	opt.Momentum, opt.WD = 0.9, 0.01
	return &resumeRun{clock: clock, log: log, mod: newScripted(clock), opt: opt}
}

func (r *resumeRun) fit(ctx context.Context, extra ...BatchEndCallback) error {
	return r.fitWith(ctx, nil, extra...)
}

func (r *resumeRun) fitWith(ctx context.Context, set func(*Config), extra ...BatchEndCallback) error {
	sp := NewSpeedometer(2, 3)
	sp.Now, sp.Logger = r.clock.Now, r.log
	acc := metric.NewAccuracy(1, metric.Options{OutputNames: []string{"softmax_output"}})
	cbs := append([]BatchEndCallback{sp}, extra...)
	cfg := Config{NumEpoch: 2, EvalMetric: acc, BatchEnd: cbs, Optimizer: r.opt, Initializer: NewUniform(0.5, 7),
		Logger: r.log, Now: r.clock.Now}
	if set != nil {
		set(&cfg)
	}
	return Fit(ctx, r.mod, spec79Iter(), cfg)
}

// TestResume interrupts a run and resumes it from the checkpoint: the log
// lines (epoch count, global metric values, Speedometer windows and speeds,
// time cost) and the final parameters equal an uninterrupted run's.
func TestResume(t *testing.T) {
	for _, stop := range []struct{ epoch, batch int }{{0, 4}, {0, 0}, {1, 2}, {0, 5}} {
		t.Run(fmt.Sprintf("stop %d/%d", stop.epoch, stop.batch), func(t *testing.T) {
			logA, bufA := captureLogger()
			a := newResumeRun(newFakeClock(), logA)
			if err := a.fit(context.Background()); err != nil {
				t.Fatal(err)
			}

			logB, bufB := captureLogger()
			clock := newFakeClock()
			b := newResumeRun(clock, logB)
			ctx, cancel := context.WithCancel(context.Background())
			path := filepath.Join(t.TempDir(), "resume.params")
			err := b.fitWith(ctx, func(c *Config) { c.ResumeCheckpoint = path }, cancelAt{stop.epoch, stop.batch, cancel})
			var ie *InterruptedError
			if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want InterruptedError", err)
			}
			if ie.Epoch != stop.epoch || ie.Batch != stop.batch+1 || ie.Checkpoint != path {
				t.Fatalf("stopped at epoch %d batch %d (%q), want %d %d", ie.Epoch, ie.Batch, ie.Checkpoint, stop.epoch, stop.batch+1)
			}
			if b.mod.nFwd != stop.epoch*7+stop.batch+1 {
				t.Errorf("%d forwards, want %d", b.mod.nFwd, stop.epoch*7+stop.batch+1)
			}
			clock.Advance(time.Hour) // the pause must not show in the logs

			ck, err := LoadCheckpoint(path)
			if err != nil {
				t.Fatal(err)
			}
			c := newResumeRun(clock, logB)
			c.opt.LR = 99 // restored from the checkpoint
			if err := ck.RestoreOptimizer(c.opt); err != nil {
				t.Fatal(err)
			}
			if err := c.fitWith(context.Background(), func(c *Config) { c.Resume, c.ArgParams, c.AuxParams = ck.State, ck.Arg, ck.Aux }); err != nil {
				t.Fatal(err)
			}
			if d := diffLines(lines(bufB), lines(bufA)); d != "" {
				t.Errorf("stop at %v: resumed logs differ:\n%s", stop, d)
			}
			for name, w := range a.mod.arg {
				if !slices.Equal(w.Float32s(), c.mod.arg[name].Float32s()) {
					t.Errorf("stop at %v: %s = %v, uninterrupted %v", stop, name, c.mod.arg[name].Float32s(), w.Float32s())
				}
			}
			for name, w := range a.mod.aux {
				if !slices.Equal(w.Float32s(), c.mod.aux[name].Float32s()) {
					t.Errorf("stop at %v: aux %s = %v, uninterrupted %v", stop, name, c.mod.aux[name].Float32s(), w.Float32s())
				}
			}
		})
	}
}

// TestCancelLastBatch: a cancel during an epoch's last batch completes the
// epoch, then stops at the next one.
func TestCancelLastBatch(t *testing.T) {
	log, buf := captureLogger()
	ctx, cancel := context.WithCancel(context.Background())
	mod := newScripted(nil)
	err := Fit(ctx, mod, spec79Iter(), Config{NumEpoch: 3, EvalMetric: insightfaceComposite(), BatchEnd: []BatchEndCallback{cancelAt{0, 6, cancel}}, Logger: log})
	var ie *InterruptedError
	if !errors.As(err, &ie) || ie.Epoch != 1 || ie.Batch != 0 {
		t.Fatalf("err = %v", err)
	}
	if got := lines(buf); len(got) != 3 || got[0] != "Epoch[0] Train-acc=0.571429" {
		t.Errorf("lines = %q", got)
	}
	if mod.nFwd != 7 {
		t.Errorf("%d forwards, want 7", mod.nFwd)
	}
	if ie.State == nil || ie.State.Epoch != 1 || ie.State.Batch != 0 || ie.State.Metric != nil {
		t.Errorf("state = %+v", ie.State)
	}
}

// TestCancelBeforeStart: an already cancelled context trains nothing.
func TestCancelBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	mod := newScripted(nil)
	err := Fit(ctx, mod, spec79Iter(), Config{NumEpoch: 1, BeginEpoch: 0, Logger: discard()})
	var ie *InterruptedError
	if !errors.As(err, &ie) || ie.Epoch != 0 || ie.Batch != 0 || mod.nFwd != 0 {
		t.Fatalf("err = %v, %d forwards", err, mod.nFwd)
	}
}

// TestPeriodicResumeCheckpoint: with every=7 (the epoch length) the save
// due on the last batch is written after the epoch as (epoch+1, 0).
func TestPeriodicResumeCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.params")
	err := Fit(context.Background(), newScripted(nil), spec79Iter(), Config{NumEpoch: 1, EvalMetric: insightfaceComposite(), Logger: discard(), ResumeCheckpoint: path, ResumeEvery: 7})
	if err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if ck.State == nil || ck.State.Epoch != 1 || ck.State.Batch != 0 || ck.Optimizer == nil || len(ck.Arg) != 2 || len(ck.Aux) != 1 {
		t.Fatalf("checkpoint = %+v, state %+v", ck, ck.State)
	}
	// Every 3 batches, then the final checkpoint at the end of the run.
	var saved []string
	rec := events.Func(func(e events.Event) error {
		if c, ok := e.(events.Checkpoint); ok && c.Path == path && c.Resumable {
			saved = append(saved, fmt.Sprintf("%d/%d", c.Epoch, c.Batch))
		}
		return nil
	})
	err = Fit(context.Background(), newScripted(nil), spec79Iter(), Config{NumEpoch: 1, EvalMetric: insightfaceComposite(), Logger: discard(), ResumeCheckpoint: path, ResumeEvery: 3, Events: []events.Sink{rec}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(saved, []string{"0/3", "0/6", "1/0"}) {
		t.Errorf("every 3: saved at %v, want [0/3 0/6 1/0]", saved)
	}
	if ck, err = LoadCheckpoint(path); err != nil || ck.State.Epoch != 1 || ck.State.Batch != 0 || !ck.State.Done {
		t.Fatalf("final: %+v, %v", ck.State, err)
	}
}

// TestResumePastEnd: a state claiming more batches than the epoch has is
// an error.
func TestResumePastEnd(t *testing.T) {
	err := Fit(context.Background(), newScripted(nil), spec79Iter(), Config{NumEpoch: 1, Logger: discard(), Resume: &TrainState{Epoch: 0, Batch: 9}})
	if err == nil || err.Error() != "fit: resume: epoch 0 has only 7 batches; the state says 9 are done" {
		t.Fatalf("err = %v", err)
	}
}
