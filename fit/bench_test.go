package fit

import (
	"context"
	"io"
	"testing"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

// nopModule is a Module that does nothing, so benchmarks measure Fit's own
// per-batch work.
type nopModule struct {
	arg, aux, grads map[string]*nd.Array
	outs            []*nd.Array
}

func newNop() *nopModule {
	w := func() *nd.Array { return nd.Must(nd.FromFloat32(make([]float32, 4), 4)) }
	return &nopModule{
		arg:   map[string]*nd.Array{"fc_weight": w()},
		aux:   map[string]*nd.Array{},
		grads: map[string]*nd.Array{"fc_weight": w()},
		outs: []*nd.Array{
			nd.Must(nd.FromFloat32(make([]float32, 8), 4, 2)),
			nd.Must(nd.FromFloat32([]float32{.9, .1, .1, .9, .9, .1, .1, .9}, 4, 2)),
			nd.Must(nd.FromFloat32([]float32{1}, 1)),
		},
	}
}

func (m *nopModule) Forward(*DataBatch, bool) error { return nil }
func (m *nopModule) Backward() error                { return nil }
func (m *nopModule) Update() error                  { return nil }
func (m *nopModule) Outputs() []*nd.Array           { return m.outs }
func (m *nopModule) OutputNames() []string {
	return []string{"fc1_output", "softmax_output", "loss_output"}
}
func (m *nopModule) LabelNames() []string                { return []string{"softmax_label"} }
func (m *nopModule) Params() (a, x map[string]*nd.Array) { return m.arg, m.aux }
func (m *nopModule) InitOptimizer(Optimizer) error       { return nil }
func (m *nopModule) Replicate() (Module, error)          { return newNop(), nil }
func (m *nopModule) Grads() map[string]*nd.Array         { return m.grads }

// repeatIter yields the same batch n times per epoch.
type repeatIter struct {
	b    *DataBatch
	n, i int
}

func (it *repeatIter) Next() (*DataBatch, error) {
	if it.i >= it.n {
		return nil, io.EOF
	}
	it.i++
	return it.b, nil
}
func (it *repeatIter) Reset() error   { it.i = 0; return nil }
func (it *repeatIter) BatchSize() int { return 4 }

func newRepeat(n int) *repeatIter {
	return &repeatIter{n: n, b: &DataBatch{
		Data:  []*nd.Array{nd.Must(nd.FromFloat32(make([]float32, 12), 4, 3))},
		Label: []*nd.Array{nd.Must(nd.FromFloat32([]float32{0, 1, 0, 1}, 4))},
	}}
}

// nopMetric satisfies metric.Metric and does nothing.
type nopMetric struct{}

func (nopMetric) Name() string                           { return "nop" }
func (nopMetric) Update(_, _ []*nd.Array) error          { return nil }
func (nopMetric) UpdateDict(_, _ metric.Named) error     { return nil }
func (nopMetric) Reset()                                 {}
func (nopMetric) ResetLocal()                            {}
func (nopMetric) Get() ([]string, []float64)             { return nil, nil }
func (nopMetric) GetGlobal() ([]string, []float64)       { return nil, nil }
func (nopMetric) GetNameValue() []metric.NameValue       { return nil }
func (nopMetric) GetGlobalNameValue() []metric.NameValue { return nil }
func (nopMetric) Config() (metric.Config, error)         { return metric.Config{}, nil }
func (nopMetric) String() string                         { return "EvalMetric: {}" }
func (nopMetric) State() (metric.State, error)           { return metric.State{}, nil }
func (nopMetric) SetState(metric.State) error            { return nil }
func (nopMetric) MergeState(metric.State) error          { return nil }

func benchFit(b *testing.B, m metric.Metric, set ...func(*Config)) {
	b.ReportAllocs()
	it := newRepeat(b.N)
	cfg := Config{NumEpoch: 1, EvalMetric: m, Logger: discard(), SkipParamInit: true}
	for _, f := range set {
		f(&cfg)
	}
	b.ResetTimer()
	if err := Fit(context.Background(), newNop(), it, cfg); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFitLoop is Fit's per-batch overhead with a no-op module and
// metric: shape checks, NaN guard, callbacks dispatch, context check.
func BenchmarkFitLoop(b *testing.B) { benchFit(b, nopMetric{}) }

// BenchmarkFitLoopCallbacks adds a Speedometer (logging every 50 batches to
// a discarded writer) and a no-op callback.
func BenchmarkFitLoopCallbacks(b *testing.B) {
	sp := NewSpeedometer(4, 50)
	sp.Logger = discard()
	benchFit(b, nopMetric{}, func(c *Config) {
		c.BatchEnd = []BatchEndCallback{sp, BatchEndFunc(func(BatchEndParam) error { return nil })}
	})
}

// BenchmarkFitLoopEvents adds an events sink that does nothing: the cost
// of building one BatchEnd event per batch (the metric's local values) and
// of the call.
func BenchmarkFitLoopEvents(b *testing.B) {
	benchFit(b, nopMetric{}, func(c *Config) {
		c.Events = []events.Sink{events.Func(func(events.Event) error { return nil })}
	})
}

// BenchmarkFitLoopJSONL writes every BatchEnd event as a JSONL record
// (to io.Discard), what metrics.jsonl costs per batch.
func BenchmarkFitLoopJSONL(b *testing.B) {
	benchFit(b, nopMetric{}, func(c *Config) { c.Events = []events.Sink{events.NewJSONL(io.Discard)} })
}

// BenchmarkFitLoopAccuracy includes the built-in Accuracy on a 4×2 softmax
// (the metric's own cost, for reference).
func BenchmarkFitLoopAccuracy(b *testing.B) {
	benchFit(b, metric.NewAccuracy(1, metric.Options{OutputNames: []string{"softmax_output"}}))
}

// BenchmarkFitLoopDevice2 is the device kvstore with 2 replicas: batch
// slicing, worker hand-off, gradient sum and weight copy.
func BenchmarkFitLoopDevice2(b *testing.B) {
	benchFit(b, nopMetric{}, func(c *Config) { c.KVStore, c.Devices = "device", 2 })
}

// BenchmarkBareLoop is the reference for BenchmarkFitLoop: the same calls
// on the same module, iterator and metric in a hand-written loop, without
// Fit's checks and bookkeeping.
func BenchmarkBareLoop(b *testing.B) {
	b.ReportAllocs()
	it, mod, m := bareParts(b.N)
	labels := metric.Named{Names: mod.LabelNames()}
	preds := metric.Named{Names: mod.OutputNames()}
	b.ResetTimer()
	for {
		batch, err := it.Next()
		if err == io.EOF {
			break
		}
		_ = mod.Forward(batch, true)
		_ = mod.Backward()
		_ = mod.Update()
		labels.Arrays, preds.Arrays = batch.Label, mod.Outputs()
		_ = m.UpdateDict(labels, preds)
	}
}

// bareParts returns the loop's parts behind interfaces, as Fit sees them.
//
//go:noinline
func bareParts(n int) (DataIter, Module, metric.Metric) { return newRepeat(n), newNop(), nopMetric{} }
