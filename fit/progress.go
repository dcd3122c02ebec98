package fit

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
)

// ProgressBar logs a text progress bar per batch: MXNet's
// mx.callback.ProgressBar(total, length=80). Each line is
// "[<filled '='><rest '-'>] <percent>%\r" with filled =
// round(length·nbatch/total) (Python 3's round: half to even) and percent =
// ceil(100·nbatch/total) printed as an integer (Python 3; MXNet's docstring
// shows Python 2's "50.0%").
type ProgressBar struct {
	Total  int
	Length int
	// Logger receives the lines; nil means DefaultLogger.
	Logger *slog.Logger
}

// NewProgressBar returns ProgressBar(total, length); length ≤ 0 means 80.
func NewProgressBar(total, length int) *ProgressBar {
	if length <= 0 {
		length = 80
	}
	return &ProgressBar{Total: total, Length: length}
}

// Line returns the message for batch index nbatch.
func (b *ProgressBar) Line(nbatch int) (string, error) {
	if b.Total <= 0 {
		return "", fmt.Errorf("fit: progress bar total is %d; want a positive number", b.Total)
	}
	length := b.Length
	if length <= 0 {
		length = 80
	}
	filled := int(PyRound(float64(length) * float64(nbatch) / float64(b.Total)))
	percents := math.Ceil(100.0 * float64(nbatch) / float64(b.Total))
	var sb strings.Builder
	sb.WriteByte('[')
	sb.WriteString(strings.Repeat("=", max(filled, 0))) // Python: '='*negative is ''
	if length > filled {
		sb.WriteString(strings.Repeat("-", length-filled))
	}
	sb.WriteString("] ")
	sb.WriteString(strconv.FormatInt(int64(percents), 10))
	sb.WriteString("%\r")
	return sb.String(), nil
}

// BatchEnd is the callback.
func (b *ProgressBar) BatchEnd(p BatchEndParam) error {
	line, err := b.Line(p.NBatch)
	if err != nil {
		return err
	}
	p.log(b.Logger).LogAttrs(context.Background(), slog.LevelInfo, line, slog.Int("epoch", p.Epoch), slog.Int("batch", p.NBatch))
	return nil
}
