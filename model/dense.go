package model

// dense is a fully connected layer, MXNet's FullyConnected: y = x·wᵀ + b with
// w stored (out, in) row-major. Its buffers are sized for the network's batch
// once; x and dx belong to the layer below (dx is nil when no gradient is
// needed below, as for the first layer).
type dense struct {
	name    string
	in, out int
	w, b    []float32 // b is nil without bias
	dw, db  []float32
	x, y    []float32 // (batch, in), (batch, out)
	dx, dy  []float32 // gradients of x and y
}

// newDense allocates a layer's parameters, gradients and output buffers.
func newDense(name string, in, out, batch int, bias bool) *dense {
	d := &dense{
		name: name, in: in, out: out,
		w: make([]float32, out*in), dw: make([]float32, out*in),
		y: make([]float32, batch*out), dy: make([]float32, batch*out),
	}
	if bias {
		d.b, d.db = make([]float32, out), make([]float32, out)
	}
	return d
}

// forward computes y for rows [lo, hi).
func (d *dense) forward(lo, hi int) { dotNT(d.y, d.x, d.w, d.b, d.out, d.in, lo, hi) }

// backwardInput computes dx from dy for rows [lo, hi).
func (d *dense) backwardInput(lo, hi int) {
	if d.dx != nil {
		axpyNN(d.dx, d.dy, d.w, d.out, d.in, lo, hi)
	}
}

// backwardParams computes dw and db for output units [lo, hi) over the
// first m rows of the batch.
func (d *dense) backwardParams(m, lo, hi int) {
	axpyTN(d.dw, d.db, d.dy, d.x, m, d.out, d.in, lo, hi)
}

// reluForward applies max(v, 0) in place to rows [lo, hi) of y (width n).
func reluForward(y []float32, n, lo, hi int) {
	for i, v := range y[lo*n : hi*n] {
		if v < 0 {
			y[lo*n+i] = 0
		}
	}
}

// reluBackward zeroes dy where the ReLU output y is not positive, rows
// [lo, hi) of width n. (The derivative at 0 is taken as 0, as MXNet's.)
func reluBackward(dy, y []float32, n, lo, hi int) {
	dy = dy[lo*n : hi*n]
	for i, v := range y[lo*n : hi*n] {
		if !(v > 0) {
			dy[i] = 0
		}
	}
}
