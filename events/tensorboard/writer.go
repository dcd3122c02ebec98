package tensorboard

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/evalkit/evalkit/events"
)

// Options configures a Writer.
type Options struct {
	// TotalSteps, when > 0, is the run's last global step: each Speed
	// event then also writes arcface_torch's time_for_end, the estimated
	// hours left.
	TotalSteps int
	// StartStep is the global step the run (or its resumed part) starts
	// from, for time_for_end.
	StartStep int
	// Host names the file (default os.Hostname()).
	Host string
	// Now is the clock of the file name and of time_for_end's start
	// (default time.Now).
	Now func() time.Time
}

// Writer is an events.Sink writing TensorBoard scalars, arcface_torch's tag
// names where it has them, every value at the event's global step:
//
//	events.Speed         speed, loss (a value named "loss" or "lossvalue"),
//	                     train/<name>, time_for_end (Options.TotalSteps)
//	events.LearningRate  learning_rate
//	events.EpochEnd      epoch/train/<name>, epoch/time_cost
//	events.Validation    validation/<name>
//	events.Verification  <target> (Accuracy-Flip), <target>/std,
//	                     <target>/xnorm, <target>/<extra name>
//
// Other events write nothing. Each event is one record, flushed to the
// file at once, so TensorBoard shows a run while it trains. It is safe for
// concurrent use.
type Writer struct {
	mu    sync.Mutex
	w     *bufio.Writer
	c     io.Closer
	path  string
	opts  Options
	start time.Time
	rec   []byte
	ev    []byte
	sc    []Scalar
}

// Create makes dir and a new event file in it,
// events.out.tfevents.<unix seconds>.<host>, as TensorFlow names them.
func Create(dir string, opts Options) (*Writer, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if opts.Host == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "localhost"
		}
		opts.Host = h
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	t := now()
	path := filepath.Join(dir, fmt.Sprintf("events.out.tfevents.%010d.%s", t.Unix(), opts.Host))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	w, err := NewWriter(f, t, opts)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	w.c, w.path = f, path
	return w, nil
}

// NewWriter writes an event file to dst, starting with the file_version
// record stamped t. Close flushes it and closes dst when it is an
// io.Closer.
func NewWriter(dst io.Writer, t time.Time, opts Options) (*Writer, error) {
	w := &Writer{w: bufio.NewWriter(dst), opts: opts, start: t}
	if c, ok := dst.(io.Closer); ok {
		w.c = c
	}
	w.ev = AppendVersionEvent(w.ev[:0], wallTime(t))
	if err := w.write(); err != nil {
		return nil, err
	}
	return w, nil
}

// Path returns the file's path ("" for NewWriter).
func (w *Writer) Path() string { return w.path }

// wallTime is t in seconds since the epoch, as Python's time.time().
func wallTime(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }

// Emit writes e's scalars.
func (w *Writer) Emit(e events.Event) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	sc := w.sc[:0]
	var step int
	switch e := e.(type) {
	case events.Speed:
		step = e.Step
		sc = append(sc, Scalar{"speed", float32(e.Speed)})
		for _, nv := range e.Values {
			if nv.Name == "loss" || nv.Name == "lossvalue" {
				sc = append(sc, Scalar{"loss", float32(nv.Value)})
			}
		}
		for _, nv := range e.Values {
			sc = append(sc, Scalar{"train/" + nv.Name, float32(nv.Value)})
		}
		if w.opts.TotalSteps > 0 {
			sc = append(sc, Scalar{"time_for_end", float32(w.hoursLeft(e.Time, e.Step))})
		}
	case events.LearningRate:
		step = e.Step
		sc = append(sc, Scalar{"learning_rate", float32(e.Rate)})
	case events.EpochEnd:
		step = e.Step
		for _, nv := range e.Train {
			sc = append(sc, Scalar{"epoch/train/" + nv.Name, float32(nv.Value)})
		}
		sc = append(sc, Scalar{"epoch/time_cost", float32(e.TimeCost)})
	case events.Validation:
		step = e.Step
		for _, nv := range e.Values {
			sc = append(sc, Scalar{"validation/" + nv.Name, float32(nv.Value)})
		}
	case events.Verification:
		step = e.Step
		sc = append(sc, Scalar{e.Target, float32(e.Accuracy)}, Scalar{e.Target + "/std", float32(e.Std)},
			Scalar{e.Target + "/xnorm", float32(e.XNorm)})
		for _, nv := range e.Extra {
			sc = append(sc, Scalar{e.Target + "/" + nv.Name, float32(nv.Value)})
		}
	default:
		return nil
	}
	w.sc = sc
	if len(sc) == 0 {
		return nil
	}
	w.ev = AppendScalarEvent(w.ev[:0], wallTime(e.At()), int64(step), sc)
	return w.write()
}

// hoursLeft is arcface_torch's estimate: whole seconds since the start
// over the steps done since StartStep (+1), times the steps left (−1).
func (w *Writer) hoursLeft(now time.Time, step int) float64 {
	secs := math.Trunc(now.Sub(w.start).Seconds())
	avg := secs / float64(step-w.opts.StartStep+1)
	return avg * float64(w.opts.TotalSteps-step-1) / 3600
}

// write frames w.ev as a record and flushes it.
func (w *Writer) write() error {
	w.rec = AppendRecord(w.rec[:0], w.ev)
	if _, err := w.w.Write(w.rec); err != nil {
		return fmt.Errorf("tensorboard: %w", err)
	}
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("tensorboard: %w", err)
	}
	return nil
}

// Close flushes and closes the file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.w.Flush()
	if w.c != nil {
		if cerr := w.c.Close(); err == nil {
			err = cerr
		}
		w.c = nil
	}
	if err != nil {
		return fmt.Errorf("tensorboard: %w", err)
	}
	return nil
}
