package model

// head is the classification layer fc7. The Softmax kind is a dense layer
// with bias over the embedding; the cosine kinds compute
// z = s·(x/‖x‖)·(w/‖w‖)ᵀ and replace each row's target logit with s·f(cos θ)
// (see margin.apply).
type head struct {
	kind      HeadKind
	s         float64
	mg        margin
	emb, n    int       // embedding width, classes
	x, dx     []float32 // the embedding (input) and its gradient (the embedding layer's buffers)
	z, dz     []float32 // logits and their gradient (batch, n)
	labels    []int32
	applyMarg bool      // the margin is applied in the current forward
	fc        *dense    // Softmax kind
	w, dw     []float32 // cosine kinds: fc7_weight (n, emb) and its gradient
	wNorm     []float64
	what      []float32 // w with unit rows
	dwhat     []float32
	xhat      []float32 // x with unit rows (batch, emb)
	xNorm     []float64
	cos, dcos []float32 // (batch, n)
	dxhat     []float32 // (batch, emb)
}

func newHead(h HeadConfig, emb, n, batch int) *head {
	hd := &head{kind: h.Kind, s: h.Scale, mg: newMargin(h), emb: emb, n: n}
	if h.Kind == Softmax {
		hd.fc = newDense("fc7", emb, n, batch, true)
		hd.z, hd.dz = hd.fc.y, hd.fc.dy
		return hd
	}
	hd.w, hd.dw = make([]float32, n*emb), make([]float32, n*emb)
	hd.wNorm = make([]float64, n)
	hd.what, hd.dwhat = make([]float32, n*emb), make([]float32, n*emb)
	hd.xhat, hd.dxhat = make([]float32, batch*emb), make([]float32, batch*emb)
	hd.xNorm = make([]float64, batch)
	hd.cos, hd.dcos = make([]float32, batch*n), make([]float32, batch*n)
	hd.z, hd.dz = make([]float32, batch*n), make([]float32, batch*n)
	return hd
}

// bind connects the head to the embedding layer's output and gradient.
func (h *head) bind(x, dx []float32) {
	h.x, h.dx = x, dx
	if h.fc != nil {
		h.fc.x, h.fc.dx = x, dx
	}
}

// weight returns fc7_weight, its gradient, and fc7_bias with its gradient
// (nil for the cosine kinds).
func (h *head) weight() (w, dw, b, db []float32) {
	if h.fc != nil {
		return h.fc.w, h.fc.dw, h.fc.b, h.fc.db
	}
	return h.w, h.dw, nil, nil
}

// prepare normalises the class weights; it runs once per forward, before
// the row-parallel part.
func (h *head) prepare(labels []int32, applyMargin bool) {
	h.labels, h.applyMarg = labels, applyMargin && labels != nil && h.fc == nil
	if h.fc == nil {
		l2NormalizeRows(h.what, h.w, h.wNorm, h.emb, 0, h.n)
	}
}

// forward computes the logits of rows [lo, hi).
func (h *head) forward(lo, hi int) {
	if h.fc != nil {
		h.fc.forward(lo, hi)
		return
	}
	l2NormalizeRows(h.xhat, h.x, h.xNorm, h.emb, lo, hi)
	dotNT(h.cos, h.xhat, h.what, nil, h.n, h.emb, lo, hi)
	s := float32(h.s)
	for i, c := range h.cos[lo*h.n : hi*h.n] {
		h.z[lo*h.n+i] = s * c
	}
	if h.applyMarg {
		for i := lo; i < hi; i++ {
			y := int(h.labels[i])
			f, _ := h.mg.apply(float64(h.cos[i*h.n+y]))
			h.z[i*h.n+y] = float32(h.s * f)
		}
	}
}

// backwardInput computes the embedding gradient of rows [lo, hi) from dz.
func (h *head) backwardInput(lo, hi int) {
	if h.fc != nil {
		h.fc.backwardInput(lo, hi)
		return
	}
	n := h.n
	for i := lo; i < hi; i++ {
		for j := i * n; j < i*n+n; j++ {
			h.dcos[j] = float32(h.s * float64(h.dz[j]))
		}
		if h.applyMarg {
			y := i*n + int(h.labels[i])
			_, df := h.mg.apply(float64(h.cos[y]))
			h.dcos[y] = float32(h.s * float64(h.dz[y]) * df)
		}
	}
	axpyNN(h.dxhat, h.dcos, h.what, n, h.emb, lo, hi)
	if h.dx != nil {
		l2NormalizeBackward(h.dx, h.dxhat, h.xhat, h.xNorm, h.emb, lo, hi)
	}
}

// backwardParams computes the weight gradient of classes [lo, hi) over the
// first m rows.
func (h *head) backwardParams(m, lo, hi int) {
	if h.fc != nil {
		h.fc.backwardParams(m, lo, hi)
		return
	}
	axpyTN(h.dwhat, nil, h.dcos, h.xhat, m, h.n, h.emb, lo, hi)
	l2NormalizeBackward(h.dw, h.dwhat, h.what, h.wNorm, h.emb, lo, hi)
}
