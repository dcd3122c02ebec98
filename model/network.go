package model

import (
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/evalkit/evalkit/internal/parallel"
)

// Param is one learned parameter of a Network: its MXNet-style name
// ("hidden0_weight", "fc1_bias", "fc7_weight"), shape, and live value and
// gradient storage.
type Param struct {
	Name  string
	Shape []int
	Data  []float32
	Grad  []float32
}

// Network is the embedding network with its per-batch buffers. It is used by
// one goroutine at a time; internally each Forward and Backward runs on the
// configured number of workers.
type Network struct {
	cfg      Config
	pool     *parallel.Workers
	hidden   []*dense
	emb      *dense
	head     *head
	x0       []float32 // normalised input (batch, in)
	in       []float32 // raw input of the current batch
	labels   []int32
	probs    []float32
	lossRows []float64
	loss     float64
	m        int  // rows in the current batch
	labelled bool // the current forward had labels
	train    bool // the current forward was a training forward
	params   []Param
	gradPlan [][]gradTask
	fwdRun   *parallel.Func
	bwdRun   *parallel.Func
	gradRun  *parallel.Func
}

// gradTask is a range of output units of one parameterised layer whose
// weight gradients one worker computes.
type gradTask struct {
	layer  int // index into hidden, then emb, then head
	lo, hi int
}

// New builds a network for cfg with zeroed parameters (initialise them with
// an Initializer, or load a checkpoint).
func New(cfg Config) (*Network, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	b := cfg.BatchSize
	n := &Network{cfg: cfg}
	n.pool = parallel.NewWorkers(cfg.Workers, parallel.Options{})
	// A forgotten Close does not leak the goroutines past the network.
	runtime.AddCleanup(n, func(w *parallel.Workers) { w.Close() }, n.pool)
	n.x0 = make([]float32, b*cfg.InputDim)
	prev, prevDy := n.x0, []float32(nil)
	width := cfg.InputDim
	for i, h := range cfg.Hidden {
		d := newDense(fmt.Sprintf("hidden%d", i), width, h, b, true)
		d.x, d.dx = prev, prevDy
		n.hidden = append(n.hidden, d)
		prev, prevDy, width = d.y, d.dy, h
	}
	n.emb = newDense("fc1", width, cfg.EmbeddingDim, b, true)
	n.emb.x, n.emb.dx = prev, prevDy
	n.head = newHead(cfg.Head, cfg.EmbeddingDim, cfg.NumClasses, b)
	n.head.bind(n.emb.y, n.emb.dy)
	n.labels = make([]int32, b)
	n.probs = make([]float32, b*cfg.NumClasses)
	n.lossRows = make([]float64, b)
	for _, d := range append(append([]*dense(nil), n.hidden...), n.emb) {
		n.params = append(n.params,
			Param{Name: d.name + "_weight", Shape: []int{d.out, d.in}, Data: d.w, Grad: d.dw},
			Param{Name: d.name + "_bias", Shape: []int{d.out}, Data: d.b, Grad: d.db})
	}
	w, dw, bias, dbias := n.head.weight()
	n.params = append(n.params, Param{Name: "fc7_weight", Shape: []int{cfg.NumClasses, cfg.EmbeddingDim}, Data: w, Grad: dw})
	if bias != nil {
		n.params = append(n.params, Param{Name: "fc7_bias", Shape: []int{cfg.NumClasses}, Data: bias, Grad: dbias})
	}
	n.planGrads()
	n.fwdRun, n.bwdRun, n.gradRun = workerFunc(n.forwardWorker), workerFunc(n.backwardWorker), workerFunc(n.gradWorker)
	return n, nil
}

// Close stops the worker goroutines. The network must not be used after.
// Calling it is optional: they also stop when the network is garbage.
func (n *Network) Close() { n.pool.Close() }

// Config returns the network's configuration, defaults filled in.
func (n *Network) Config() Config {
	c := n.cfg
	c.Hidden = append([]int(nil), c.Hidden...)
	return c
}

// Params returns the learned parameters in network order. The slices are
// the network's live storage.
func (n *Network) Params() []Param { return n.params }

// planGrads splits the output units of all parameterised layers among the
// workers so each gets about the same multiply-add count.
func (n *Network) planGrads() {
	type unit struct{ out, cost int }
	var layers []unit
	for _, d := range n.hidden {
		layers = append(layers, unit{d.out, d.in})
	}
	layers = append(layers, unit{n.emb.out, n.emb.in}, unit{n.cfg.NumClasses, n.cfg.EmbeddingDim})
	total := 0
	for _, l := range layers {
		total += l.out * l.cost
	}
	w := n.pool.N()
	n.gradPlan = make([][]gradTask, w)
	// Walk all units in order; unit u goes to the worker whose cost share
	// contains the cost accumulated before it.
	acc := 0
	for li, l := range layers {
		for o := 0; o < l.out; o++ {
			wk := min(acc*w/total, w-1)
			tasks := n.gradPlan[wk]
			if k := len(tasks) - 1; k >= 0 && tasks[k].layer == li && tasks[k].hi == o {
				tasks[k].hi++
			} else {
				tasks = append(tasks, gradTask{layer: li, lo: o, hi: o + 1})
			}
			n.gradPlan[wk] = tasks
			acc += l.cost
		}
	}
}

// Forward runs the network on rows = len(x)/InputDim samples (at most
// BatchSize). labels holds one class index per row as MXNet's float
// softmax_label (truncated toward zero) and may be nil for an unlabelled
// forward, whose loss is NaN. A training forward applies the head's margin
// and keeps what Backward needs; an evaluation forward applies the margin
// only with HeadConfig.MarginInEval.
func (n *Network) Forward(x []float32, labels []float32, train bool) error {
	in := n.cfg.InputDim
	if len(x) == 0 || len(x)%in != 0 {
		return fmt.Errorf("model: input has %d values, want a positive multiple of input_dim %d", len(x), in)
	}
	m := len(x) / in
	if m > n.cfg.BatchSize {
		return fmt.Errorf("model: batch of %d rows exceeds the network's batch_size %d", m, n.cfg.BatchSize)
	}
	if labels != nil {
		if len(labels) != m {
			return fmt.Errorf("model: %d labels for %d input rows", len(labels), m)
		}
		for i, v := range labels {
			if !(v > -1 && v < float32(n.cfg.NumClasses)) {
				return fmt.Errorf("model: label %d is %v, want a class index in [0, %d)", i, v, n.cfg.NumClasses)
			}
			n.labels[i] = int32(v)
		}
	} else if train {
		return errors.New("model: a training forward needs labels")
	}
	n.in, n.m, n.labelled, n.train = x, m, labels != nil, train
	var lab []int32
	if labels != nil {
		lab = n.labels[:m]
	}
	n.head.prepare(lab, train || n.cfg.Head.MarginInEval)
	n.pool.Run(n.fwdRun, n.pool.N())
	n.loss = math.NaN()
	if labels != nil {
		var s float64
		for _, v := range n.lossRows[:m] {
			s += v
		}
		n.loss = s / float64(m)
	}
	return nil
}

func (n *Network) forwardWorker(w int) {
	lo, hi := parallel.Split(n.m, w, n.pool.N())
	if lo == hi {
		return
	}
	in := n.cfg.InputDim
	mean, scale := n.cfg.InputMean, n.cfg.InputScale
	for i, v := range n.in[lo*in : hi*in] {
		n.x0[lo*in+i] = float32((float64(v) - mean) * scale)
	}
	for _, d := range n.hidden {
		d.forward(lo, hi)
		reluForward(d.y, d.out, lo, hi)
	}
	n.emb.forward(lo, hi)
	n.head.forward(lo, hi)
	var lab []int32
	if n.labelled {
		lab = n.labels
	}
	softmaxRows(n.probs, n.head.z, lab, n.lossRows, n.cfg.NumClasses, lo, hi)
}

// Backward computes the parameter gradients of the last Forward, which must
// have been a training forward.
func (n *Network) Backward() error {
	if !n.train || n.m == 0 {
		return errors.New("model: Backward needs a training Forward first")
	}
	n.pool.Run(n.bwdRun, n.pool.N())
	n.pool.Run(n.gradRun, n.pool.N())
	return nil
}

func (n *Network) backwardWorker(w int) {
	lo, hi := parallel.Split(n.m, w, n.pool.N())
	if lo == hi {
		return
	}
	softmaxCEBackward(n.head.dz, n.probs, n.labels, 1/float64(n.m), n.cfg.NumClasses, lo, hi)
	n.head.backwardInput(lo, hi)
	n.emb.backwardInput(lo, hi)
	for l := len(n.hidden) - 1; l >= 0; l-- {
		d := n.hidden[l]
		reluBackward(d.dy, d.y, d.out, lo, hi)
		d.backwardInput(lo, hi)
	}
}

func (n *Network) gradWorker(w int) {
	nh := len(n.hidden)
	for _, t := range n.gradPlan[w] {
		switch {
		case t.layer < nh:
			n.hidden[t.layer].backwardParams(n.m, t.lo, t.hi)
		case t.layer == nh:
			n.emb.backwardParams(n.m, t.lo, t.hi)
		default:
			n.head.backwardParams(n.m, t.lo, t.hi)
		}
	}
}

// Rows returns the number of rows of the last Forward.
func (n *Network) Rows() int { return n.m }

// Embedding returns the fc1 embeddings of the last Forward, (rows,
// EmbeddingDim) row-major; the slice is reused by the next Forward.
func (n *Network) Embedding() []float32 { return n.emb.y[:n.m*n.cfg.EmbeddingDim] }

// Probs returns the softmax of the last Forward's logits (margin-modified in
// training), (rows, NumClasses); reused by the next Forward.
func (n *Network) Probs() []float32 { return n.probs[:n.m*n.cfg.NumClasses] }

// Loss returns the last Forward's mean cross-entropy Σ −log p[label] / rows
// (insightface's ce_loss), or NaN without labels.
func (n *Network) Loss() float64 { return n.loss }

// Embed writes the fc1 embeddings of every row of x into dst (len(x)/InputDim
// rows of EmbeddingDim), running as many forwards as BatchSize requires.
func (n *Network) Embed(dst, x []float32) error {
	in, e := n.cfg.InputDim, n.cfg.EmbeddingDim
	if len(x)%in != 0 {
		return fmt.Errorf("model: input has %d values, not a multiple of input_dim %d", len(x), in)
	}
	rows := len(x) / in
	if len(dst) != rows*e {
		return fmt.Errorf("model: embedding buffer has %d values, want %d (%d rows × %d)", len(dst), rows*e, rows, e)
	}
	for lo := 0; lo < rows; lo += n.cfg.BatchSize {
		hi := min(lo+n.cfg.BatchSize, rows)
		if err := n.Forward(x[lo*in:hi*in], nil, false); err != nil {
			return err
		}
		copy(dst[lo*e:hi*e], n.Embedding())
	}
	return nil
}

// workerFunc makes a Task of a per-worker function, once, so that runs
// allocate nothing.
func workerFunc(f func(worker int)) *parallel.Func {
	t := parallel.Func(func(part, _ int) { f(part) })
	return &t
}
