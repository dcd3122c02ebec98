package fit

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/metric"
)

// LogSink is the events.Sink writing MXNet's text log: the lines of
// Speedometer (events.Speed), of Module.fit's epoch end ("Epoch[e]
// Train-<name>=<value>", "Epoch[e] Time cost=<s>", from events.EpochEnd)
// and of validation ("Epoch[e] Validation-<name>=<value>",
// events.Validation), byte for byte, through Logger (nil: DefaultLogger).
// Each record also carries the values as attributes (epoch, batch_begin,
// batch_end, speed, one per metric value; kind, metric, value; time_cost)
// for JSON handlers. Other events write nothing: the lines insightface
// prints for verifications and learning-rate changes come from its
// callbacks.
type LogSink struct {
	Logger *slog.Logger
}

// Emit writes e's lines.
func (s LogSink) Emit(e events.Event) error {
	log := orDefault(s.Logger)
	switch e := e.(type) {
	case events.Speed:
		logSpeed(log, e)
	case events.EpochEnd:
		for _, nv := range e.Train {
			logValue(log, e.Epoch, "Train-", nv)
		}
		b := fmt.Appendf(nil, "Epoch[%d] Time cost=", e.Epoch)
		b = AppendPyFloat(b, e.TimeCost, 3)
		log.LogAttrs(context.Background(), slog.LevelInfo, string(b), slog.Int("epoch", e.Epoch), floatAttr("time_cost", e.TimeCost))
	case events.Validation:
		for _, nv := range e.Values {
			logValue(log, e.Epoch, "Validation-", nv)
		}
	}
	return nil
}

// logValue logs "Epoch[e] <kind><name>=<value %f>".
func logValue(log *slog.Logger, epoch int, kind string, nv metric.NameValue) {
	b := fmt.Appendf(nil, "Epoch[%d] %s%s=", epoch, kind, nv.Name)
	b = AppendPyFloat(b, nv.Value, 6)
	log.LogAttrs(context.Background(), slog.LevelInfo, string(b),
		slog.Int("epoch", epoch), slog.String("kind", kind[:len(kind)-1]), slog.String("metric", nv.Name), floatAttr("value", nv.Value))
}

// logSpeed writes Speedometer's line.
func logSpeed(log *slog.Logger, e events.Speed) {
	var b []byte
	attrs := make([]slog.Attr, 0, 4+len(e.Values))
	attrs = append(attrs, slog.Int("epoch", e.Epoch))
	if e.Values != nil {
		b = append(b, "Epoch["...)
		b = strconv.AppendInt(b, int64(e.Epoch), 10)
		b = append(b, "] Batch ["...)
		b = strconv.AppendInt(b, int64(e.BatchBegin), 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(e.Batch), 10)
		b = append(b, "]\tSpeed: "...)
		b = AppendPyFloat(b, e.Speed, 2)
		b = append(b, " samples/sec"...)
		attrs = append(attrs, slog.Int("batch_begin", e.BatchBegin), slog.Int("batch_end", e.Batch), floatAttr("speed", e.Speed))
		for _, x := range e.Values {
			b = append(b, '\t')
			b = append(b, x.Name...)
			b = append(b, '=')
			b = AppendPyFloat(b, x.Value, 6)
			attrs = append(attrs, floatAttr(x.Name, x.Value))
		}
	} else {
		b = append(b, "Iter["...)
		b = strconv.AppendInt(b, int64(e.Epoch), 10)
		b = append(b, "] Batch ["...)
		b = strconv.AppendInt(b, int64(e.Batch), 10)
		b = append(b, "]\tSpeed: "...)
		b = AppendPyFloat(b, e.Speed, 2)
		b = append(b, " samples/sec"...)
		attrs = append(attrs, slog.Int("batch", e.Batch), floatAttr("speed", e.Speed))
	}
	log.LogAttrs(context.Background(), slog.LevelInfo, string(b), attrs...)
}

// emit writes e to the text log — through own when the callback has its
// own logger, else the run's — and sends it to the run's sinks.
func (p BatchEndParam) emit(own *slog.Logger, e events.Event) error {
	if own == nil {
		own = p.Logger
	}
	if err := (LogSink{Logger: own}).Emit(e); err != nil {
		return err
	}
	if p.Events != nil {
		return p.Events.Emit(e)
	}
	return nil
}

// position is the events.Position of p at the run's clock (own when set).
func (p BatchEndParam) position(own func() time.Time) events.Position {
	return events.Position{Time: p.clock(own)(), Epoch: p.Epoch, Batch: p.NBatch, Step: p.Step}
}

// clock returns own, else the run's clock, else time.Now.
func (p BatchEndParam) clock(own func() time.Time) func() time.Time {
	switch {
	case own != nil:
		return own
	case p.Now != nil:
		return p.Now
	}
	return time.Now
}

// log returns own, else the run's logger, else DefaultLogger.
func (p BatchEndParam) log(own *slog.Logger) *slog.Logger {
	if own != nil {
		return own
	}
	return orDefault(p.Logger)
}
