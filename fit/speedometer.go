package fit

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/metric"
)

// Speedometer logs training speed and the metric's local values every
// Frequent batches: MXNet's mx.callback.Speedometer(batch_size, frequent,
// auto_reset=True), byte for byte (python/mxnet/callback.py):
//
//	Epoch[0] Batch [20-40]\tSpeed: 0.99 samples/sec\tacc=0.000000\tlossvalue=6.229731
//
// Its quirks are kept: the first call of an epoch (found by the batch index
// going down) only starts the clock, so the first window, labelled [0-f],
// holds f+1 batches; the speed assumes exactly Frequent batches since the
// last line; zero elapsed time gives "inf". With AutoReset the metric's
// local statistics are reset after each line (metric.ResetLocal), which for
// metrics without global statistics (insightface's) also clears what the
// epoch's Train line shows. Without AutoReset the line reads [0-count] and
// shows values since the epoch start. With no metric it logs
// "Iter[e] Batch [n]\tSpeed: ... samples/sec".
//
// In JSON logs the record carries epoch, batch_begin, batch_end, speed and
// one field per metric value.
type Speedometer struct {
	// BatchSize is the number of samples per batch (all devices).
	BatchSize int
	// Frequent is the number of batches per line (MXNet's default 50).
	Frequent int
	// AutoReset resets the metric's local statistics after each line.
	AutoReset bool
	// Logger receives the lines; nil means the run's logger
	// (BatchEndParam.Logger), else DefaultLogger.
	Logger *slog.Logger
	// Now is the clock; nil means the run's clock (BatchEndParam.Now),
	// else time.Now. Tests inject a fake clock.
	Now func() time.Time
	// Key is the StateKey; "" means "speedometer".
	Key string

	init      bool
	tic       time.Time
	lastCount int
	runNow    func() time.Time // the run's clock, when Now is nil
	// pending: restored without a clock of its own; tic is set from
	// pendingElapsed at the next batch, on the run's clock.
	pending        bool
	pendingElapsed time.Duration
}

// NewSpeedometer returns Speedometer(batchSize, frequent) with MXNet's
// default auto_reset=True.
func NewSpeedometer(batchSize, frequent int) *Speedometer {
	return &Speedometer{BatchSize: batchSize, Frequent: frequent, AutoReset: true}
}

func (s *Speedometer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	if s.runNow != nil {
		return s.runNow()
	}
	return time.Now()
}

// BatchEnd is the callback. The line is an events.Speed event, written by
// LogSink to Logger (nil: the run's logger) and sent to the run's sinks.
func (s *Speedometer) BatchEnd(p BatchEndParam) error {
	if s.Frequent <= 0 {
		return fmt.Errorf("fit: Speedometer frequent is %d; want a positive number", s.Frequent)
	}
	if s.Now == nil && p.Now != nil {
		s.runNow = p.Now
	}
	if s.pending {
		s.pending = false
		s.tic = s.now().Add(-s.pendingElapsed)
	}
	count := p.NBatch
	if s.lastCount > count {
		s.init = false
	}
	s.lastCount = count
	if !s.init {
		s.init = true
		s.tic = s.now()
		return nil
	}
	if count%s.Frequent != 0 {
		return nil
	}
	now := s.now()
	// Python: frequent*batch_size/(now-tic); ZeroDivisionError → inf.
	speed := float64(s.Frequent*s.BatchSize) / now.Sub(s.tic).Seconds()
	ev := events.Speed{Position: events.Position{Time: now, Epoch: p.Epoch, Batch: count, Step: p.Step}, BatchBegin: count, Speed: speed}
	if p.EvalMetric != nil {
		ev.Values = metric.LocalValues(p.EvalMetric)
		if ev.Values == nil {
			ev.Values = []metric.NameValue{}
		}
		if s.AutoReset {
			p.EvalMetric.ResetLocal()
			ev.BatchBegin = count - s.Frequent
		} else {
			ev.BatchBegin = 0
		}
	}
	err := p.emit(s.Logger, ev)
	s.tic = s.now()
	return err
}

// speedometerState is Speedometer's resumable state.
type speedometerState struct {
	Init      bool    `json:"init"`
	LastCount int     `json:"last_count"`
	Elapsed   float64 `json:"elapsed_seconds"`
}

// StateKey returns Key or "speedometer".
func (s *Speedometer) StateKey() string {
	if s.Key != "" {
		return s.Key
	}
	return "speedometer"
}

// MarshalState exports the window position and the time since its start.
func (s *Speedometer) MarshalState() (json.RawMessage, error) {
	st := speedometerState{Init: s.init, LastCount: s.lastCount}
	switch {
	case s.pending:
		st.Elapsed = s.pendingElapsed.Seconds()
	case s.init:
		st.Elapsed = s.now().Sub(s.tic).Seconds()
	}
	return json.Marshal(st)
}

// RestoreState resumes the window: its start is set to now minus the
// saved elapsed time, so the first line after a resume covers the same
// batches as without the interruption.
func (s *Speedometer) RestoreState(raw json.RawMessage) error {
	var st speedometerState
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("speedometer state: %w", err)
	}
	if st.LastCount < 0 {
		return errors.New("speedometer state: negative batch index")
	}
	s.init, s.lastCount = st.Init, st.LastCount
	elapsed := time.Duration(st.Elapsed * float64(time.Second))
	if s.Now == nil && s.runNow == nil {
		s.pending, s.pendingElapsed = true, elapsed
		return nil
	}
	s.tic = s.now().Add(-elapsed)
	return nil
}
