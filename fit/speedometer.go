package fit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// Speedometer logs training speed and the metric's local values every
// Frequent batches: MXNet's mx.callback.Speedometer(batch_size, frequent,
// auto_reset=True), byte for byte (spec §7.7):
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
	// Logger receives the lines; nil means DefaultLogger.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now. Tests inject a fake clock.
	Now func() time.Time
	// Key is the StateKey; "" means "speedometer".
	Key string

	init      bool
	tic       time.Time
	lastCount int
	buf       []byte
	attrs     []slog.Attr
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
	return time.Now()
}

// BatchEnd is the callback.
func (s *Speedometer) BatchEnd(p BatchEndParam) error {
	if s.Frequent <= 0 {
		return fmt.Errorf("fit: Speedometer frequent is %d; want a positive number", s.Frequent)
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
	b := s.buf[:0]
	s.attrs = append(s.attrs[:0], slog.Int("epoch", p.Epoch))
	if p.EvalMetric != nil {
		nv := p.EvalMetric.GetNameValue()
		lo := 0
		if s.AutoReset {
			p.EvalMetric.ResetLocal()
			lo = count - s.Frequent
		}
		b = append(b, "Epoch["...)
		b = strconv.AppendInt(b, int64(p.Epoch), 10)
		b = append(b, "] Batch ["...)
		b = strconv.AppendInt(b, int64(lo), 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(count), 10)
		b = append(b, "]\tSpeed: "...)
		b = AppendPyFloat(b, speed, 2)
		b = append(b, " samples/sec"...)
		s.attrs = append(s.attrs, slog.Int("batch_begin", lo), slog.Int("batch_end", count), floatAttr("speed", speed))
		for _, x := range nv {
			b = append(b, '\t')
			b = append(b, x.Name...)
			b = append(b, '=')
			b = AppendPyFloat(b, x.Value, 6)
			s.attrs = append(s.attrs, floatAttr(x.Name, x.Value))
		}
	} else {
		b = append(b, "Iter["...)
		b = strconv.AppendInt(b, int64(p.Epoch), 10)
		b = append(b, "] Batch ["...)
		b = strconv.AppendInt(b, int64(count), 10)
		b = append(b, "]\tSpeed: "...)
		b = AppendPyFloat(b, speed, 2)
		b = append(b, " samples/sec"...)
		s.attrs = append(s.attrs, slog.Int("batch", count), floatAttr("speed", speed))
	}
	s.buf = b
	orDefault(s.Logger).LogAttrs(context.Background(), slog.LevelInfo, string(b), s.attrs...)
	s.tic = s.now()
	return nil
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
	if s.init {
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
	s.tic = s.now().Add(-time.Duration(st.Elapsed * float64(time.Second)))
	return nil
}
