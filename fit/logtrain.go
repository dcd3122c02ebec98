package fit

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/evalkit/evalkit/metric"
)

// LogTrainMetric logs the metric's local values every Period batches
// (batch 0 included): MXNet's mx.callback.log_train_metric(period,
// auto_reset=False). Lines read "Iter[e] Batch[n] Train-<name>=<value>"
// (no space before "[", unlike Speedometer). With AutoReset the metric's
// local statistics are reset after a logging batch.
type LogTrainMetric struct {
	Period    int
	AutoReset bool
	// Logger receives the lines; nil means DefaultLogger.
	Logger *slog.Logger
	buf    []byte
}

// NewLogTrainMetric returns log_train_metric(period, auto_reset).
func NewLogTrainMetric(period int, autoReset bool) *LogTrainMetric {
	return &LogTrainMetric{Period: period, AutoReset: autoReset}
}

// BatchEnd is the callback.
func (l *LogTrainMetric) BatchEnd(p BatchEndParam) error {
	if l.Period <= 0 {
		return fmt.Errorf("fit: log_train_metric period is %d; want a positive number", l.Period)
	}
	if p.NBatch%l.Period != 0 || p.EvalMetric == nil {
		return nil
	}
	log := p.log(l.Logger)
	for _, nv := range metric.LocalValues(p.EvalMetric) {
		b := l.buf[:0]
		b = append(b, "Iter["...)
		b = strconv.AppendInt(b, int64(p.Epoch), 10)
		b = append(b, "] Batch["...)
		b = strconv.AppendInt(b, int64(p.NBatch), 10)
		b = append(b, "] Train-"...)
		b = append(b, nv.Name...)
		b = append(b, '=')
		b = AppendPyFloat(b, nv.Value, 6)
		l.buf = b
		log.LogAttrs(context.Background(), slog.LevelInfo, string(b), slog.Int("epoch", p.Epoch), slog.Int("batch", p.NBatch),
			slog.String("kind", "Train"), slog.String("metric", nv.Name), floatAttr("value", nv.Value))
	}
	if l.AutoReset {
		p.EvalMetric.ResetLocal()
	}
	return nil
}

// LogValidationMetrics logs the metric's local values as
// "Epoch[e] Validation-<name>=<value>": MXNet's
// mx.callback.LogValidationMetricsCallback, for Config.EvalEnd.
type LogValidationMetrics struct {
	// Logger receives the lines; nil means DefaultLogger.
	Logger *slog.Logger
}

// BatchEnd is the callback; it does nothing without a metric.
func (l *LogValidationMetrics) BatchEnd(p BatchEndParam) error {
	if p.EvalMetric == nil {
		return nil
	}
	log := p.log(l.Logger)
	for _, nv := range metric.LocalValues(p.EvalMetric) {
		b := fmt.Appendf(nil, "Epoch[%d] Validation-%s=", p.Epoch, nv.Name)
		b = AppendPyFloat(b, nv.Value, 6)
		log.LogAttrs(context.Background(), slog.LevelInfo, string(b), slog.Int("epoch", p.Epoch),
			slog.String("kind", "Validation"), slog.String("metric", nv.Name), floatAttr("value", nv.Value))
	}
	return nil
}
