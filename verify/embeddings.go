package verify

import (
	"fmt"
	"math"
	"runtime"

	parallelfor "github.com/evalkit/evalkit/internal/parallel"
	"github.com/evalkit/evalkit/nd"
)

// rows gives float64 access to the rows of an N × D float32 or float64
// array, optionally summed with a same-shaped flipped-image array.
type rows struct {
	n, d     int
	f32, g32 []float32
	f64, g64 []float64
	flip     bool
	base     int // index of row 0 in the whole array, for messages
}

func newRows(emb, flip *nd.Array) (*rows, error) {
	if emb == nil {
		return nil, fmt.Errorf("verify: no embeddings")
	}
	r := &rows{}
	sh := emb.Shape()
	if len(sh) != 2 {
		return nil, fmt.Errorf("verify: embeddings must be 2-D (rows × dims), got shape %s", nd.ShapeString(sh))
	}
	r.n, r.d = sh[0], sh[1]
	if r.d == 0 {
		return nil, fmt.Errorf("verify: embeddings have shape %s: no dimensions", nd.ShapeString(sh))
	}
	var err error
	if r.f32, r.f64, err = floatData(emb, "embeddings"); err != nil {
		return nil, err
	}
	if flip != nil {
		fs := flip.Shape()
		if len(fs) != 2 || fs[0] != r.n || fs[1] != r.d {
			return nil, fmt.Errorf("verify: flipped embeddings have shape %s, want %s like the embeddings", nd.ShapeString(fs), nd.ShapeString(sh))
		}
		if r.g32, r.g64, err = floatData(flip, "flipped embeddings"); err != nil {
			return nil, err
		}
		r.flip = true
	}
	return r, nil
}

func floatData(a *nd.Array, what string) ([]float32, []float64, error) {
	switch a.DType() {
	case nd.Float32, nd.Float16:
		return a.Float32s(), nil, nil
	case nd.Float64:
		return nil, a.Float64s(), nil
	}
	return nil, nil, fmt.Errorf("verify: %s must be float32 or float64, got %s", what, a.DType())
}

// raw writes row i of the original (flip false) or flipped array to dst.
func (r *rows) raw(dst []float64, i int, flipped bool) {
	off := i * r.d
	switch {
	case !flipped && r.f32 != nil:
		for j, x := range r.f32[off : off+r.d] {
			dst[j] = float64(x)
		}
	case !flipped:
		copy(dst, r.f64[off:off+r.d])
	case r.g32 != nil:
		for j, x := range r.g32[off : off+r.d] {
			dst[j] = float64(x)
		}
	default:
		copy(dst, r.g64[off:off+r.d])
	}
}

// load writes row i of the original array, plus its flip when there is
// one, into dst as float64 (tmp is scratch of the same length), and returns
// the raw L2 norms of the original and flipped rows (for XNorm). It fails
// on a non-finite value, as scikit-learn's input validation does.
func (r *rows) load(dst, tmp []float64, i int) (normOrig, normFlip float64, err error) {
	r.raw(dst, i, false)
	if !r.flip {
		sq := einsumSquares(dst)
		if err := r.checkFinite(sq, dst, i); err != nil {
			return 0, 0, err
		}
		return math.Sqrt(sq), 0, nil
	}
	r.raw(tmp, i, true)
	so, sf := einsumSquares2(dst, tmp)
	if err := r.checkFinite(so, dst, i); err != nil {
		return 0, 0, err
	}
	if err := r.checkFinite(sf, tmp, i); err != nil {
		return 0, 0, err
	}
	for j, x := range tmp {
		dst[j] += x
	}
	return math.Sqrt(so), math.Sqrt(sf), nil
}

// checkFinite turns a non-finite sum of squares into an error naming the
// first bad value of row i.
func (r *rows) checkFinite(sq float64, row []float64, i int) error {
	if !math.IsNaN(sq) && !math.IsInf(sq, 0) {
		return nil
	}
	for j, x := range row {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("verify: embedding row %d, column %d is %v; embeddings must be finite", r.base+i, j, x)
		}
	}
	return fmt.Errorf("verify: embedding row %d overflows float64 when squared", r.base+i)
}

// normalizePair divides two loaded rows by their L2 norms as
// scikit-learn's normalize does (x / norm; rows of norm below ten machine
// epsilons are left unchanged).
func normalizePair(a, b []float64) {
	sa, sb := einsumSquares2(a, b)
	na, nb := sklearnNormScale(sa), sklearnNormScale(sb)
	for j := range a {
		a[j] /= na
	}
	for j := range b {
		b[j] /= nb
	}
}

// xnormFrom averages per-row norms summed in insightface's order (every
// original row, then every flipped row, accumulated one by one).
func xnormFrom(norms []float64) float64 {
	if len(norms) == 0 {
		return 0
	}
	var sum float64
	for _, n := range norms {
		sum += n
	}
	return sum / float64(len(norms))
}

// pairScore returns the score of two normalised rows: the squared L2
// distance as np.sum(np.square(e1 - e2), 1) computes it (pairwise
// summation), or their dot product for Cosine. sq is scratch.
func pairScore(a, b, sq []float64, score Score) float64 {
	if score == Cosine {
		for j := range a {
			sq[j] = a[j] * b[j]
		}
	} else {
		for j := range a {
			d := a[j] - b[j]
			sq[j] = d * d
		}
	}
	return pairwiseSum(sq)
}

// PairScores returns one score per pair, pair i being rows 2i and 2i+1 of
// emb, as insightface lays out its .bin evaluation sets. With flip (the
// embeddings of the horizontally mirrored images, same shape) each row is
// the sum of original and flipped embedding before normalisation, as
// insightface's "Accuracy-Flip". Rows are L2-normalised as scikit-learn's
// normalize does (zero rows stay zero); scores are squared-L2 distances or
// cosine similarities. xnorm is the mean L2 norm of all raw rows given
// (insightface's XNorm). Both arrays must be float32 or float64, N × D with
// N even, and finite.
func PairScores(emb, flip *nd.Array, score Score) (scores []float64, xnorm float64, err error) {
	r, err := newRows(emb, flip)
	if err != nil {
		return nil, 0, err
	}
	if r.n%2 != 0 {
		return nil, 0, fmt.Errorf("verify: embeddings have %d rows; need an even number (pair i is rows 2i and 2i+1)", r.n)
	}
	scores = make([]float64, r.n/2)
	if xnorm, err = r.scores(scores, nil, nil, score); err != nil {
		return nil, 0, err
	}
	return scores, xnorm, nil
}

// IndexedPairScores is PairScores for pairs given as row indices: pair i is
// rows a[i] and b[i] (as an LFW pairs.txt mapped through an image list).
func IndexedPairScores(emb, flip *nd.Array, a, b []int, score Score) (scores []float64, xnorm float64, err error) {
	r, err := newRows(emb, flip)
	if err != nil {
		return nil, 0, err
	}
	if len(a) != len(b) {
		return nil, 0, fmt.Errorf("verify: %d first rows but %d second rows", len(a), len(b))
	}
	for i := range a {
		if a[i] < 0 || a[i] >= r.n || b[i] < 0 || b[i] >= r.n {
			return nil, 0, fmt.Errorf("verify: pair %d refers to rows %d and %d; embeddings have %d rows", i, a[i], b[i], r.n)
		}
	}
	scores = make([]float64, len(a))
	if xnorm, err = r.scores(scores, a, b, score); err != nil {
		return nil, 0, err
	}
	return scores, xnorm, nil
}

// scores fills dst with pair scores (a and b nil mean rows 2i, 2i+1) and
// returns XNorm. Pairs are split across up to GOMAXPROCS goroutines; every
// value is computed exactly as in a sequential pass.
func (r *rows) scores(dst []float64, a, b []int, score Score) (float64, error) {
	nrm := 1
	if r.flip {
		nrm = 2
	}
	norms := make([]float64, nrm*r.n)
	if a != nil {
		// Indexed pairs may repeat rows or skip some: norms first.
		if err := parallel(r.n, func(lo, hi int) error {
			x := make([]float64, 2*r.d)
			for i := lo; i < hi; i++ {
				no, nf, err := r.load(x[:r.d], x[r.d:], i)
				if err != nil {
					return err
				}
				norms[i] = no
				if r.flip {
					norms[r.n+i] = nf
				}
			}
			return nil
		}); err != nil {
			return 0, err
		}
	}
	err := parallel(len(dst), func(lo, hi int) error {
		var scratch []float64
		return r.scoreRange(dst, norms, a, b, lo, hi, score, &scratch)
	})
	if err != nil {
		return 0, err
	}
	return xnormFrom(norms), nil
}

// scoreRange scores pairs [lo, hi) into dst (pair i is rows 2i and 2i+1,
// or a[i] and b[i]) and, for consecutive pairs, stores each row's raw L2
// norm in norms: norms[r.base+row] for the original row and
// norms[len(norms)/2+r.base+row] for its flip. *scratch holds the plain
// path's rows, made when first needed.
func (r *rows) scoreRange(dst, norms []float64, a, b []int, lo, hi int, score Score, scratch *[]float64) error {
	half := len(norms)
	if r.flip {
		half /= 2
	}
	setNorms := func(ia, ib int, oa, fa, ob, fb float64) {
		norms[r.base+ia], norms[r.base+ib] = oa, ob
		if r.flip {
			norms[half+r.base+ia], norms[half+r.base+ib] = fa, fb
		}
	}
	for i := lo; i < hi; i++ {
		ia, ib := 2*i, 2*i+1
		if a != nil {
			ia, ib = a[i], b[i]
		}
		if s, n, ok := r.vectorScore(ia, ib, score); ok {
			if a == nil {
				setNorms(ia, ib, n[0], n[1], n[2], n[3])
			}
			dst[i] = s
			continue
		}
		if *scratch == nil {
			*scratch = make([]float64, 4*r.d)
		}
		x := *scratch
		e1, e2, tmp, sq := x[:r.d], x[r.d:2*r.d], x[2*r.d:3*r.d], x[3*r.d:]
		oa, fa, err := r.load(e1, tmp, ia)
		if err != nil {
			return err
		}
		ob, fb, err := r.load(e2, tmp, ib)
		if err != nil {
			return err
		}
		if a == nil {
			setNorms(ia, ib, oa, fa, ob, fb)
		}
		normalizePair(e1, e2)
		dst[i] = pairScore(e1, e2, sq, score)
	}
	return nil
}

// vectorScore scores rows i and j with the vector kernel, when this CPU
// has one and the arrays (and flips) are both float32 or both float64; ok
// is false otherwise, or on a non-finite row (see rowPair.score).
func (r *rows) vectorScore(i, j int, score Score) (s float64, norms [4]float64, ok bool) {
	switch {
	case !haveVectorKernel:
		return 0, norms, false
	case r.f32 != nil && (!r.flip || r.g32 != nil):
		return pairOf(r.f32, r.g32, r.d, i, j).score(score == Cosine)
	case r.f64 != nil && (!r.flip || r.g64 != nil):
		return pairOf(r.f64, r.g64, r.d, i, j).score(score == Cosine)
	}
	return 0, norms, false
}

// pairOf returns rows i and j of x (length-d rows), with those of the
// flipped array g when it is not nil.
func pairOf[T float32 | float64](x, g []T, d, i, j int) *rowPair[T] {
	p := &rowPair[T]{a: x[i*d : (i+1)*d], b: x[j*d : (j+1)*d]}
	if g != nil {
		p.af, p.bf = g[i*d:(i+1)*d], g[j*d:(j+1)*d]
	}
	return p
}

// parallel runs fn over [0, n) split into contiguous chunks, one goroutine
// per chunk (up to GOMAXPROCS, at least 512 items each), and returns the
// error of the lowest failing chunk — the one a sequential pass meets first.
func parallel(n int, fn func(lo, hi int) error) error {
	w := max(1, min(runtime.GOMAXPROCS(0), n/512))
	return parallelfor.For(n, w, func(_, lo, hi int) error {
		// A mapped input that shrinks while it is read faults in the
		// goroutine reading it: turn that into an error naming the file.
		return nd.GuardMapped(func() error { return fn(lo, hi) })
	})
}

// EvaluateEmbeddings runs the protocol on embeddings laid out in pairs
// (rows 2i and 2i+1), optionally with flipped-image embeddings: PairScores
// followed by Evaluate, with the result's XNorm set. This is insightface's
// verification.test() after the network has run.
func EvaluateEmbeddings(emb, flip *nd.Array, issame []bool, opts Options) (*Result, error) {
	if emb != nil && emb.NDim() == 2 && emb.Dim(0)%2 == 0 && emb.Dim(0)/2 != len(issame) {
		return nil, fmt.Errorf("verify: embeddings have %d rows (%d pairs) but there are %d issame labels", emb.Dim(0), emb.Dim(0)/2, len(issame))
	}
	scores, xn, err := PairScores(emb, flip, opts.Score)
	if err != nil {
		return nil, err
	}
	r, err := Evaluate(scores, issame, opts)
	if err != nil {
		return nil, err
	}
	r.XNorm = xn
	return r, nil
}
