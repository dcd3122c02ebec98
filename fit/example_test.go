package fit_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/nd"
)

// logistic is a one-feature logistic regression as a fit.Module: the
// smallest network a newcomer plugs in. Its output is a (B, 2) softmax.
type logistic struct {
	arg, grad map[string]*nd.Array
	opt       fit.Optimizer
	x, y      []float32
	prob      []float32
	out       []*nd.Array
}

func newLogistic() *logistic {
	p := func() *nd.Array { return nd.Must(nd.FromFloat32(make([]float32, 1), 1)) }
	return &logistic{
		arg:  map[string]*nd.Array{"fc_weight": p(), "fc_bias": p()},
		grad: map[string]*nd.Array{"fc_weight": p(), "fc_bias": p()},
	}
}

func (m *logistic) Forward(b *fit.DataBatch, isTrain bool) error {
	m.x, m.y = b.Data[0].Float32s(), b.Label[0].Float32s()
	if len(m.prob) != 2*len(m.x) {
		m.prob = make([]float32, 2*len(m.x))
		m.out = []*nd.Array{nd.Must(nd.FromFloat32(m.prob, len(m.x), 2))}
	}
	w, c := m.arg["fc_weight"].Float32s()[0], m.arg["fc_bias"].Float32s()[0]
	for i, x := range m.x {
		p1 := float32(1 / (1 + math.Exp(-float64(w*x+c))))
		m.prob[2*i], m.prob[2*i+1] = 1-p1, p1
	}
	return nil
}

func (m *logistic) Backward() error {
	var gw, gb float32
	for i, x := range m.x {
		d := m.prob[2*i+1] - m.y[i] // d(cross-entropy)/d(logit)
		gw += d * x
		gb += d
	}
	m.grad["fc_weight"].Float32s()[0], m.grad["fc_bias"].Float32s()[0] = gw, gb
	return nil
}

func (m *logistic) Update() error {
	for name, w := range m.arg {
		if err := m.opt.Update(name, w, m.grad[name]); err != nil {
			return err
		}
	}
	return nil
}

func (m *logistic) Outputs() []*nd.Array                    { return m.out }
func (m *logistic) OutputNames() []string                   { return []string{"softmax_output"} }
func (m *logistic) LabelNames() []string                    { return []string{"softmax_label"} }
func (m *logistic) Params() (arg, aux map[string]*nd.Array) { return m.arg, nil }
func (m *logistic) InitOptimizer(opt fit.Optimizer) error   { m.opt = opt; return nil }

// points is a DataIter over 8 labelled points in batches of 4.
type points struct{ i int }

var (
	xs = []float32{-2, 0.5, -1, 1.5, -0.5, 2, 1, -1.5}
	ys = []float32{0, 1, 0, 1, 0, 1, 1, 0}
)

func (p *points) Next() (*fit.DataBatch, error) {
	if p.i >= len(xs) {
		return nil, io.EOF
	}
	lo := p.i
	p.i += 4
	return &fit.DataBatch{
		Data:  []*nd.Array{nd.Must(nd.FromFloat32(xs[lo:p.i], 4, 1))},
		Label: []*nd.Array{nd.Must(nd.FromFloat32(ys[lo:p.i], 4))},
	}, nil
}
func (p *points) Reset() error   { p.i = 0; return nil }
func (p *points) BatchSize() int { return 4 }

func Example() {
	log := fit.NewLogger(os.Stdout, fit.LogBare)      // fit.LogPlain adds MXNet's "INFO:root:"
	frozen := func() time.Time { return time.Time{} } // a fixed clock, for a stable example
	sgd := fit.NewSGD(0.5)
	sgd.RescaleGrad = 1.0 / 4 // what MXNet adds to a named optimizer: 1/batch size
	err := fit.Fit(context.Background(), newLogistic(), &points{}, fit.Config{
		NumEpoch:    3, // EvalMetric nil: accuracy, MXNet's "acc"
		Optimizer:   sgd,
		Initializer: fit.NewUniform(0.01, 1),
		BatchEnd:    []fit.BatchEndCallback{&fit.LogTrainMetric{Period: 1}}, // logs through Logger
		EpochEnd: []fit.EpochEndCallback{fit.EpochEndFunc(func(p fit.EpochEndParam) error {
			fmt.Printf("epoch %d: w=%.3f\n", p.Epoch, p.Arg["fc_weight"].Float32s()[0])
			return nil
		})},
		Logger: log, Now: frozen,
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// Iter[0] Batch[0] Train-accuracy=0.000000
	// Iter[0] Batch[1] Train-accuracy=0.500000
	// Epoch[0] Train-accuracy=0.500000
	// Epoch[0] Time cost=0.000
	// epoch 0: w=0.548
	// Iter[1] Batch[0] Train-accuracy=1.000000
	// Iter[1] Batch[1] Train-accuracy=1.000000
	// Epoch[1] Train-accuracy=1.000000
	// Epoch[1] Time cost=0.000
	// epoch 1: w=0.899
	// Iter[2] Batch[0] Train-accuracy=1.000000
	// Iter[2] Batch[1] Train-accuracy=1.000000
	// Epoch[2] Train-accuracy=1.000000
	// Epoch[2] Time cost=0.000
	// epoch 2: w=1.151
}
