// Package prom exports a training run's events as Prometheus metrics, on a
// registry of its own (not the global one), for a /metrics endpoint served
// while the run trains.
//
//	ex := prom.New()
//	srv, err := prom.Serve("127.0.0.1:9100", ex)
//	defer srv.Close()
//	err = fit.Fit(ctx, mod, train, fit.Config{NumEpoch: 10, Events: []events.Sink{ex}})
package prom

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/evalkit/evalkit/events"
)

// Exporter is an events.Sink keeping Prometheus metrics of a run:
//
//	evalkit_train_epoch                    gauge, epoch of the last batch (from 0)
//	evalkit_train_batch                    gauge, batch index within the epoch
//	evalkit_train_step                     gauge, global step
//	evalkit_train_samples_total            counter, samples trained
//	evalkit_train_learning_rate            gauge
//	evalkit_train_speed_samples_per_second gauge, last Speedometer window
//	evalkit_train_metric{metric}           gauge, last training value (Speedometer window or epoch end)
//	evalkit_validation_metric{metric}      gauge, last validation value
//	evalkit_verification_accuracy{target}  gauge, last Accuracy-Flip
//
// It is safe for concurrent use: Fit emits while the endpoint is scraped.
type Exporter struct {
	reg                        *prometheus.Registry
	epoch, batch, step, lr, sp prometheus.Gauge
	samples                    prometheus.Counter
	train, val, verify         *prometheus.GaugeVec
}

// New returns an Exporter with its metrics registered on a new registry.
func New() *Exporter {
	g := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "evalkit", Name: name, Help: help})
	}
	v := func(name, help, label string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "evalkit", Name: name, Help: help}, []string{label})
	}
	e := &Exporter{
		reg:     prometheus.NewRegistry(),
		epoch:   g("train_epoch", "Epoch of the last trained batch, counted from 0."),
		batch:   g("train_batch", "Index of the last trained batch within its epoch."),
		step:    g("train_step", "Global step: batches trained since the run began."),
		lr:      g("train_learning_rate", "The optimizer's learning rate."),
		sp:      g("train_speed_samples_per_second", "Training speed over the last Speedometer window."),
		samples: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "evalkit", Name: "train_samples_total", Help: "Samples trained (padding excluded)."}),
		train:   v("train_metric", "Last training metric value (Speedometer window or epoch end).", "metric"),
		val:     v("validation_metric", "Last validation metric value.", "metric"),
		verify:  v("verification_accuracy", "Last verification accuracy (insightface's Accuracy-Flip).", "target"),
	}
	e.reg.MustRegister(e.epoch, e.batch, e.step, e.lr, e.sp, e.samples, e.train, e.val, e.verify)
	return e
}

// Registry returns the exporter's registry, e.g. to add collectors.
func (e *Exporter) Registry() *prometheus.Registry { return e.reg }

// Handler serves the registry's metrics in Prometheus' exposition format.
func (e *Exporter) Handler() http.Handler {
	return promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{Registry: e.reg})
}

// Emit updates the metrics from ev.
func (e *Exporter) Emit(ev events.Event) error {
	switch ev := ev.(type) {
	case events.BatchEnd:
		e.epoch.Set(float64(ev.Epoch))
		e.batch.Set(float64(ev.Batch))
		e.step.Set(float64(ev.Step))
		e.samples.Add(float64(ev.Samples))
	case events.Speed:
		e.sp.Set(ev.Speed)
		for _, nv := range ev.Values {
			e.train.WithLabelValues(nv.Name).Set(nv.Value)
		}
	case events.EpochEnd:
		for _, nv := range ev.Train {
			e.train.WithLabelValues(nv.Name).Set(nv.Value)
		}
	case events.Validation:
		for _, nv := range ev.Values {
			e.val.WithLabelValues(nv.Name).Set(nv.Value)
		}
	case events.Verification:
		e.verify.WithLabelValues(ev.Target).Set(ev.Accuracy)
	case events.LearningRate:
		e.lr.Set(ev.Rate)
	}
	return nil
}

// Server serves an Exporter's /metrics.
type Server struct {
	srv  *http.Server
	addr net.Addr
	done chan error
}

// Serve listens on addr (host:port; port 0 picks a free one) and serves
// ex at /metrics until Close.
func Serve(addr string, ex *Exporter) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("prom: serving metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", ex.Handler())
	s := &Server{
		srv:  &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second},
		addr: ln.Addr(),
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Addr returns the address served, e.g. 127.0.0.1:9100.
func (s *Server) Addr() net.Addr { return s.addr }

// Close stops the server, letting scrapes in progress finish (at most 5 s).
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("prom: stopping the metrics server: %w", err)
	}
	return nil
}
