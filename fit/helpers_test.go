package fit

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

// fakeClock is a manually advanced clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// scriptedModule is a Module whose outputs are fixed by its input: data
// row r is (batch index, correct flag, value). Outputs, in insightface's
// layout: [embedding (B,2) = the first two data columns, softmax (B,2) whose
// arg-max is the label when the flag is 1 and the other class when 0,
// loss (1,) = batch index + 1 (or NaN at the nanAt-th training forward)].
// Gradients are the column sums of the value column, so summing replica
// gradients equals the full-batch gradient. Each training Forward advances
// clock (when set) by one second.
type scriptedModule struct {
	clock  *fakeClock
	nanAt  int // 1-based training forward whose loss is NaN; <0 none
	rec    *[]string
	opt    Optimizer
	arg    map[string]*nd.Array
	aux    map[string]*nd.Array
	grads  map[string]*nd.Array
	outs   []*nd.Array
	emb    []float32
	soft   []float32
	loss   []float32
	nFwd   int
	nUpd   int
	lastTr bool
}

func newScripted(clock *fakeClock) *scriptedModule {
	m := &scriptedModule{clock: clock, nanAt: -1}
	m.arg = map[string]*nd.Array{
		"fc_weight": nd.Must(nd.FromFloat32(make([]float32, 2), 2)),
		"fc_bias":   nd.Must(nd.FromFloat32(make([]float32, 2), 2)),
	}
	m.aux = map[string]*nd.Array{"bn_moving_mean": nd.Must(nd.FromFloat32(make([]float32, 2), 2))}
	m.grads = map[string]*nd.Array{
		"fc_weight": nd.Must(nd.FromFloat32(make([]float32, 2), 2)),
		"fc_bias":   nd.Must(nd.FromFloat32(make([]float32, 2), 2)),
	}
	return m
}

func (m *scriptedModule) record(s string) {
	if m.rec != nil {
		*m.rec = append(*m.rec, s)
	}
}

func (m *scriptedModule) Forward(b *DataBatch, isTrain bool) error {
	m.record("forward")
	m.nFwd++
	m.lastTr = isTrain
	if m.clock != nil && isTrain {
		m.clock.Advance(time.Second)
	}
	d := b.Data[0]
	n := d.Len()
	cols := d.Dim(1)
	if cap(m.emb) < 2*n {
		m.emb = make([]float32, 2*n)
		m.soft = make([]float32, 2*n)
		m.loss = make([]float32, 1)
		m.outs = []*nd.Array{
			nd.Must(nd.FromFloat32(m.emb[:2*n], n, 2)),
			nd.Must(nd.FromFloat32(m.soft[:2*n], n, 2)),
			nd.Must(nd.FromFloat32(m.loss, 1)),
		}
	} else if m.outs[0].Len() != n {
		m.outs[0] = nd.Must(nd.FromFloat32(m.emb[:2*n], n, 2))
		m.outs[1] = nd.Must(nd.FromFloat32(m.soft[:2*n], n, 2))
	}
	x := d.Float32s()
	lab := b.Label[0]
	for r := 0; r < n; r++ {
		m.emb[2*r], m.emb[2*r+1] = x[r*cols], x[r*cols+1]
		l := int(lab.Float(r))
		if x[r*cols+1] == 0 {
			l = 1 - l
		}
		m.soft[2*r], m.soft[2*r+1] = 0.1, 0.1
		m.soft[2*r+l] = 0.9
	}
	m.loss[0] = x[0] + 1
	if m.nanAt >= 0 && isTrain && m.nFwd == m.nanAt {
		m.loss[0] = float32(nanF())
	}
	// The gradient: sum of the value column.
	g := float32(0)
	for r := 0; r < n; r++ {
		if cols > 2 {
			g += x[r*cols+2]
		}
	}
	m.grads["fc_weight"].Float32s()[0] = g
	m.grads["fc_weight"].Float32s()[1] = -g
	m.grads["fc_bias"].Float32s()[0] = float32(n)
	m.grads["fc_bias"].Float32s()[1] = 0
	if isTrain {
		mm := m.aux["bn_moving_mean"].Float32s()
		mm[0] = 0.9*mm[0] + 0.1*g
	}
	return nil
}

func nanF() float64 { var z float64; return z / z }

func (m *scriptedModule) Backward() error { m.record("backward"); return nil }

func (m *scriptedModule) Update() error {
	m.record("update")
	m.nUpd++
	for _, n := range sortedKeys(m.arg) {
		if err := m.opt.Update(n, m.arg[n], m.grads[n]); err != nil {
			return err
		}
	}
	return nil
}

func (m *scriptedModule) Outputs() []*nd.Array { return m.outs }
func (m *scriptedModule) OutputNames() []string {
	return []string{"fc1_output", "softmax_output", "ce_loss_output"}
}
func (m *scriptedModule) LabelNames() []string { return []string{"softmax_label"} }
func (m *scriptedModule) Params() (arg, aux map[string]*nd.Array) {
	return m.arg, m.aux
}
func (m *scriptedModule) InitOptimizer(opt Optimizer) error { m.opt = opt; return nil }

// Replicate implements Replicator: replicas have no clock or recorder.
func (m *scriptedModule) Replicate() (Module, error) {
	r := newScripted(nil)
	r.nanAt = m.nanAt
	for k, v := range m.arg {
		copy(r.arg[k].Float32s(), v.Float32s())
	}
	for k, v := range m.aux {
		copy(r.aux[k].Float32s(), v.Float32s())
	}
	return r, nil
}

func (m *scriptedModule) Grads() map[string]*nd.Array { return m.grads }

// sliceIter yields fixed batches.
type sliceIter struct {
	batches []*DataBatch
	pos     int
	bs      int
	rec     *[]string
	resets  int
}

func (it *sliceIter) Next() (*DataBatch, error) {
	if it.rec != nil {
		*it.rec = append(*it.rec, "next")
	}
	if it.pos >= len(it.batches) {
		return nil, io.EOF
	}
	b := it.batches[it.pos]
	it.pos++
	return b, nil
}

func (it *sliceIter) Reset() error {
	if it.rec != nil {
		*it.rec = append(*it.rec, "reset")
	}
	it.pos = 0
	it.resets++
	return nil
}

func (it *sliceIter) BatchSize() int { return it.bs }

// spec79Iter builds the hand-worked run's data: 7 batches of 2 samples; correct counts
// per batch [2,1,0,2,2,1,0]; labels 0,1; value column = batch·10 + row.
func spec79Iter() *sliceIter {
	return correctIter(2, [][]int{{1, 1}, {1, 0}, {0, 0}, {1, 1}, {1, 1}, {0, 1}, {0, 0}})
}

// correctIter builds batches from per-sample correct flags.
func correctIter(bs int, flags [][]int) *sliceIter {
	it := &sliceIter{bs: bs}
	for i, f := range flags {
		data := make([]float32, 0, 3*bs)
		lab := make([]float32, 0, bs)
		for r, c := range f {
			data = append(data, float32(i), float32(c), float32(i*10+r))
			lab = append(lab, float32(r%2))
		}
		it.batches = append(it.batches, &DataBatch{
			Data:  []*nd.Array{nd.Must(nd.FromFloat32(data, len(f), 3))},
			Label: []*nd.Array{nd.Must(nd.FromFloat32(lab, len(f)))},
		})
	}
	return it
}

// captureLogger returns a logger writing bare lines to a buffer.
func captureLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(NewPlainHandler(&buf, nil)), &buf
}

func lines(buf *bytes.Buffer) []string {
	s := strings.TrimSuffix(buf.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func diffLines(got, want []string) string {
	var b strings.Builder
	n := max(len(got), len(want))
	for i := 0; i < n; i++ {
		g, w := "<none>", "<none>"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			fmt.Fprintf(&b, "line %d:\n  got  %q\n  want %q\n", i, g, w)
		}
	}
	return b.String()
}

// mustMetric creates a metric from anything metric.Create accepts.
func mustMetric(spec any) metric.Metric {
	m, err := metric.Create(spec, nil)
	if err != nil {
		panic(err)
	}
	return m
}
