package events

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/evalkit/evalkit/internal/jsonnum"
	"github.com/evalkit/evalkit/metric"
)

// JSONL is a sink writing one JSON object per event and line, the
// metrics.jsonl format of docs/formats.md:
//
//	{"event":"speed","time":"2026-12-01T01:02:03.5Z","epoch":0,"batch":40,"step":41,"batch_begin":20,"speed":1234.5,"values":{"acc":0.5,"lossvalue":1.25}}
//
// Every record has "event" (the Kind), "time" (RFC 3339, nanoseconds) and,
// for the events of this package, "epoch", "batch" and "step"; named values
// keep their order. JSON has no NaN: non-finite numbers are written as the
// strings "NaN", "Infinity" and "-Infinity" (evalkit's one JSON rule), so a record
// reads back losslessly. Events of other packages are written with
// encoding/json, "event" and "time" first. Each line is written with one
// Write call. It is safe for concurrent use.
type JSONL struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

// NewJSONL returns a sink writing to w.
func NewJSONL(w io.Writer) *JSONL { return &JSONL{w: w} }

// Emit writes e as one line.
func (j *JSONL) Emit(e Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	b, err := AppendJSON(j.buf[:0], e)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	j.buf = b
	if _, err := j.w.Write(b); err != nil {
		return fmt.Errorf("events: writing the JSONL record: %w", err)
	}
	return nil
}

// AppendJSON appends e's JSONL record (without the newline) to dst.
func AppendJSON(dst []byte, e Event) ([]byte, error) {
	b := dst
	b = append(b, `{"event":`...)
	b = strconv.AppendQuote(b, e.Kind())
	b = append(b, `,"time":"`...)
	b = e.At().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	pos := func(p Position) {
		b = appendInt(b, "epoch", p.Epoch)
		b = appendInt(b, "batch", p.Batch)
		b = appendInt(b, "step", p.Step)
	}
	switch e := e.(type) {
	case BatchEnd:
		pos(e.Position)
		b = appendInt(b, "samples", e.Samples)
		b = appendValues(b, "values", e.Values)
	case Speed:
		pos(e.Position)
		b = appendInt(b, "batch_begin", e.BatchBegin)
		b = appendFloat(b, "speed", e.Speed)
		if e.Values != nil {
			b = appendValues(b, "values", e.Values)
		}
	case EpochEnd:
		pos(e.Position)
		b = appendValues(b, "train", e.Train)
		b = appendFloat(b, "time_cost", e.TimeCost)
	case Validation:
		pos(e.Position)
		b = appendValues(b, "values", e.Values)
	case Verification:
		pos(e.Position)
		b = appendString(b, "target", e.Target)
		b = appendFloat(b, "accuracy", e.Accuracy)
		b = appendFloat(b, "std", e.Std)
		b = appendFloat(b, "xnorm", e.XNorm)
		if len(e.Extra) > 0 {
			b = appendValues(b, "extra", e.Extra)
		}
	case Checkpoint:
		pos(e.Position)
		b = appendString(b, "path", e.Path)
		b = append(b, `,"resumable":`...)
		b = strconv.AppendBool(b, e.Resumable)
	case LearningRate:
		pos(e.Position)
		b = appendFloat(b, "rate", e.Rate)
	default:
		raw, err := json.Marshal(e)
		if err != nil {
			return dst, fmt.Errorf("events: encoding %s event: %w", e.Kind(), err)
		}
		if len(raw) < 2 || raw[0] != '{' {
			return dst, fmt.Errorf("events: %s event encodes as %.20s, not a JSON object", e.Kind(), raw)
		}
		if len(raw) > 2 {
			b = append(b, ',')
			b = append(b, raw[1:len(raw)-1]...)
		}
	}
	return append(b, '}'), nil
}

func appendKey(b []byte, key string) []byte {
	b = append(b, ',')
	b = strconv.AppendQuote(b, key)
	return append(b, ':')
}

func appendInt(b []byte, key string, v int) []byte {
	return strconv.AppendInt(appendKey(b, key), int64(v), 10)
}

func appendString(b []byte, key, v string) []byte {
	return appendQuoted(appendKey(b, key), v)
}

// appendQuoted appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD.
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&15])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

func appendFloat(b []byte, key string, v float64) []byte {
	return AppendFloat(appendKey(b, key), v)
}

// AppendFloat appends v as a JSON number, or by evalkit's one rule for the
// values JSON has no number for: the strings "NaN", "Infinity" and
// "-Infinity" (docs/formats.md).
func AppendFloat(b []byte, v float64) []byte { return jsonnum.Append(b, v) }

func appendValues(b []byte, key string, nv []metric.NameValue) []byte {
	b = append(appendKey(b, key), '{')
	for i, x := range nv {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendQuoted(b, x.Name)
		b = append(b, ':')
		b = AppendFloat(b, x.Value)
	}
	return append(b, '}')
}
