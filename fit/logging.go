package fit

import (
	"context"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
	"sync"

	"github.com/evalkit/evalkit/internal/jsonnum"
)

// LogFormat selects how NewLogger writes records.
type LogFormat int

const (
	// LogPlain writes each message as Python's logging.basicConfig does
	// for MXNet's root logger: "INFO:root:<message>". Records marked with
	// PrintAttr (lines insightface writes with print) are written bare.
	LogPlain LogFormat = iota
	// LogBare writes each message alone, without the "LEVEL:root:" prefix:
	// the text of MXNet's lines as most people paste them.
	LogBare
	// LogJSON writes one JSON object per record (slog.JSONHandler) with the
	// message and structured fields: epoch, batch, speed, metric values.
	// Non-finite numbers are written as the strings "nan", "inf", "-inf".
	LogJSON
)

// PrintAttr is the attribute key that marks a record as a line the
// original writes with Python's print rather than logging (insightface's
// "lr change to", "[lfw][2000]XNorm: ..." lines). Plain handlers write such
// records without the level prefix, to PlainOptions.Print when set.
const PrintAttr = "print"

// PlainOptions configures a PlainHandler.
type PlainOptions struct {
	// Prefix writes "LEVEL:name:" before each logged message, as Python's
	// default handler does ("INFO:root:"). False writes the bare message.
	Prefix bool
	// Name is the logger name in the prefix; "" means "root".
	Name string
	// Level is the minimum level written; nil means slog.LevelInfo.
	Level slog.Leveler
	// Print receives records marked with PrintAttr; nil means the
	// handler's own writer.
	Print io.Writer
	// Torch replaces the prefix with arcface_torch's logging format,
	// "Training: %(asctime)s-%(message)s", e.g.
	// "Training: 2022-10-27 04:59:19,503-Speed 927.28 samples/sec ...",
	// with the record's time in the local zone.
	Torch bool
}

// PlainHandler is a slog.Handler writing only the message of each record,
// one per line, optionally with Python logging's "INFO:root:" prefix, so
// lines match MXNet's byte for byte. Attributes are not written (they are
// for JSON output). It is safe for concurrent use.
type PlainHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	print io.Writer
	pre   bool
	torch bool
	name  string
	level slog.Leveler
	// isPrint is set on a handler derived by WithAttrs(PrintAttr=true).
	isPrint bool
}

// NewPlainHandler returns a handler writing to w; opts may be nil (bare
// messages at level Info).
func NewPlainHandler(w io.Writer, opts *PlainOptions) *PlainHandler {
	h := &PlainHandler{mu: new(sync.Mutex), w: w, name: "root", level: slog.LevelInfo}
	if opts != nil {
		h.pre = opts.Prefix
		h.torch = opts.Torch
		if opts.Name != "" {
			h.name = opts.Name
		}
		if opts.Level != nil {
			h.level = opts.Level
		}
		h.print = opts.Print
	}
	if h.print == nil {
		h.print = w
	}
	return h
}

// Enabled reports whether level is at least the handler's level.
func (h *PlainHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level.Level()
}

// pyLevelName returns Python logging's name for a slog level.
func pyLevelName(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARNING"
	default:
		return "ERROR"
	}
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// Handle writes the record's message as one line.
func (h *PlainHandler) Handle(_ context.Context, r slog.Record) error {
	isPrint := h.isPrint
	if !isPrint && r.NumAttrs() > 0 {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == PrintAttr && a.Value.Kind() == slog.KindBool && a.Value.Bool() {
				isPrint = true
				return false
			}
			return true
		})
	}
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	w := h.w
	if isPrint {
		w = h.print
	} else if h.torch {
		b = append(b, "Training: "...)
		b = r.Time.AppendFormat(b, "2006-01-02 15:04:05,000")
		b = append(b, '-')
	} else if h.pre {
		b = append(b, pyLevelName(r.Level)...)
		b = append(b, ':')
		b = append(b, h.name...)
		b = append(b, ':')
	}
	b = append(b, r.Message...)
	b = append(b, '\n')
	h.mu.Lock()
	_, err := w.Write(b)
	h.mu.Unlock()
	*bp = b
	bufPool.Put(bp)
	return err
}

// WithAttrs returns a handler that also treats records as print lines when
// attrs holds PrintAttr=true; other attributes are dropped.
func (h *PlainHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	for _, a := range attrs {
		if a.Key == PrintAttr && a.Value.Kind() == slog.KindBool && a.Value.Bool() {
			c.isPrint = true
		}
	}
	return &c
}

// WithGroup returns the handler itself: groups only qualify attributes,
// which plain output does not write.
func (h *PlainHandler) WithGroup(string) slog.Handler { return h }

// NewLogger returns a logger writing to w in the given format. For LogPlain
// print lines go to w as well; use NewPlainHandler with PlainOptions.Print
// to send them elsewhere.
func NewLogger(w io.Writer, format LogFormat) *slog.Logger {
	switch format {
	case LogJSON:
		return slog.New(slog.NewJSONHandler(w, nil))
	case LogBare:
		return slog.New(NewPlainHandler(w, nil))
	default:
		return slog.New(NewPlainHandler(w, &PlainOptions{Prefix: true}))
	}
}

var (
	defaultLoggerOnce sync.Once
	defaultLogger     *slog.Logger
)

// DefaultLogger is the logger Fit, Score and the callbacks use when none is
// given: what an MXNet script prints, logged lines as "INFO:root:<message>"
// on os.Stderr and print lines bare on os.Stdout.
func DefaultLogger() *slog.Logger {
	defaultLoggerOnce.Do(func() {
		defaultLogger = slog.New(NewPlainHandler(os.Stderr, &PlainOptions{Prefix: true, Print: os.Stdout}))
	})
	return defaultLogger
}

// orDefault returns the first non-nil logger, or DefaultLogger.
func orDefault(ls ...*slog.Logger) *slog.Logger {
	for _, l := range ls {
		if l != nil {
			return l
		}
	}
	return DefaultLogger()
}

// floatAttr is a float attribute that JSON handlers can encode: non-finite
// values become strings by evalkit's one JSON rule ("NaN", "Infinity",
// "-Infinity"; docs/formats.md).
func floatAttr(key string, v float64) slog.Attr {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return slog.String(key, strings.Trim(string(jsonnum.Append(nil, v)), `"`))
	}
	return slog.Float64(key, v)
}

// printAttr marks a record as a print line.
var printAttr = slog.Bool(PrintAttr, true)
