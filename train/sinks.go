package train

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/events/prom"
	"github.com/evalkit/evalkit/events/tensorboard"
)

// openSinks opens the run's outputs besides the text log: the JSONL event
// log (appended to, so a resumed run continues it), and, when asked,
// TensorBoard event files and the Prometheus endpoint. close closes them
// all and reports the first error.
func openSinks(c *Config, jsonlPath string, tb tensorboard.Options, now func() time.Time, say func(string)) (events.Multi, func() error, error) {
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
	extra, closeExtra, err := openExtraSinks(c, tb, now, say)
	if err != nil {
		_ = closeAll()
		return nil, nil, err
	}
	sinks = append(sinks, extra...)
	sinks = append(sinks, c.Sinks...)
	closers = append(closers, closeExtra)
	return sinks, closeAll, nil
}

// openExtraSinks opens the TensorBoard and Prometheus sinks c asks for.
func openExtraSinks(c *Config, tb tensorboard.Options, now func() time.Time, say func(string)) (events.Multi, func() error, error) {
	var sinks events.Multi
	var closers []func() error
	closeAll := func() error {
		var errs []error
		for _, f := range closers {
			errs = append(errs, f())
		}
		return errors.Join(errs...)
	}
	if c.TensorBoard != "" {
		tb.Now = now
		w, err := tensorboard.Create(c.TensorBoard, tb)
		if err != nil {
			return nil, nil, err
		}
		closers = append(closers, w.Close)
		sinks = append(sinks, w)
		say("writing TensorBoard events to " + w.Path())
	}
	if c.MetricsAddr != "" {
		ex := prom.New()
		srv, err := prom.Serve(c.MetricsAddr, ex)
		if err != nil {
			_ = closeAll()
			return nil, nil, err
		}
		closers = append(closers, srv.Close)
		sinks = append(sinks, ex)
		say("serving Prometheus metrics at http://" + srv.Addr().String() + "/metrics")
	}
	return sinks, closeAll, nil
}
