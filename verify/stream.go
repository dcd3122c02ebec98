package verify

import (
	"fmt"

	"github.com/evalkit/evalkit/nd"
)

// RowReader is a source of embedding rows read a block at a time, such as
// nd.NpyRows. ReadFloat32 and ReadFloat64 fill dst with the rows from row
// on; only the one matching DType is called. They must be safe for
// concurrent use.
type RowReader interface {
	Shape() []int
	DType() nd.DType
	ReadFloat32(dst []float32, row int) error
	ReadFloat64(dst []float64, row int) error
}

// streamBlock is the size of one block of rows read at a time, per array and
// goroutine: small enough that the buffers stay in the cache and cost few
// fresh pages, large enough that a read's fixed cost is amortised.
const streamBlock = 64 << 10

// PairScoresFrom is PairScores on embeddings (and flips) read a block of
// rows at a time from emb (and flip) instead of held in memory: the same
// scores, bit for bit, and the same XNorm, with memory O(block) beyond the
// scores and per-row norms. Reading a large file through small buffers is
// faster than mapping or loading it where first-touched pages are
// expensive, and lets evaluation run on embedding files larger than
// memory.
func PairScoresFrom(emb, flip RowReader, score Score) (scores []float64, xnorm float64, err error) {
	if emb == nil {
		return nil, 0, fmt.Errorf("verify: no embeddings")
	}
	sh := emb.Shape()
	if len(sh) != 2 {
		return nil, 0, fmt.Errorf("verify: embeddings must be 2-D (rows × dims), got shape %s", nd.ShapeString(sh))
	}
	n, d := sh[0], sh[1]
	if d == 0 {
		return nil, 0, fmt.Errorf("verify: embeddings have shape %s: no dimensions", nd.ShapeString(sh))
	}
	dt := emb.DType()
	if dt != nd.Float32 && dt != nd.Float64 {
		return nil, 0, fmt.Errorf("verify: embeddings must be float32 or float64, got %s", dt)
	}
	if flip != nil {
		if fs := flip.Shape(); len(fs) != 2 || fs[0] != n || fs[1] != d {
			return nil, 0, fmt.Errorf("verify: flipped embeddings have shape %s, want %s like the embeddings", nd.ShapeString(fs), nd.ShapeString(sh))
		}
		if flip.DType() != dt {
			return nil, 0, fmt.Errorf("verify: flipped embeddings are %s but the embeddings %s; give both in one dtype", flip.DType(), dt)
		}
	}
	if n%2 != 0 {
		return nil, 0, fmt.Errorf("verify: embeddings have %d rows; need an even number (pair i is rows 2i and 2i+1)", n)
	}
	item := 4
	if dt == nd.Float64 {
		item = 8
	}
	blockPairs := max(1, streamBlock/(2*d*item))
	nrm := 1
	if flip != nil {
		nrm = 2
	}
	norms := make([]float64, nrm*n)
	scores = make([]float64, n/2)
	err = parallel(n/2, func(lo, hi int) error {
		if dt == nd.Float32 {
			return streamPairs(d, blockPairs, lo, hi, scores, norms, score, emb.ReadFloat32, flipReader(flip, RowReader.ReadFloat32))
		}
		return streamPairs(d, blockPairs, lo, hi, scores, norms, score, emb.ReadFloat64, flipReader(flip, RowReader.ReadFloat64))
	})
	if err != nil {
		return nil, 0, err
	}
	return scores, xnormFrom(norms), nil
}

// flipReader returns read bound to flip, or nil without flips.
func flipReader[T float32 | float64](flip RowReader, read func(RowReader, []T, int) error) func([]T, int) error {
	if flip == nil {
		return nil
	}
	return func(dst []T, row int) error { return read(flip, dst, row) }
}

// streamPairs scores pairs [lo, hi) a block of blockPairs pairs at a time,
// reading the rows with readEmb (and readFlip, when not nil) into one
// buffer each.
func streamPairs[T float32 | float64](d, blockPairs, lo, hi int, scores, norms []float64, score Score,
	readEmb, readFlip func([]T, int) error) error {
	e := make([]T, 2*min(blockPairs, hi-lo)*d)
	var f []T
	if readFlip != nil {
		f = make([]T, len(e))
	}
	var scratch []float64
	for p0 := lo; p0 < hi; p0 += blockPairs {
		p1 := min(hi, p0+blockPairs)
		m := 2 * (p1 - p0) * d
		if err := readEmb(e[:m], 2*p0); err != nil {
			return err
		}
		var g []T
		if readFlip != nil {
			if err := readFlip(f[:m], 2*p0); err != nil {
				return err
			}
			g = f[:m]
		}
		r := &rows{n: 2 * (p1 - p0), d: d, flip: readFlip != nil, base: 2 * p0}
		setRows(r, e[:m], g)
		if err := r.scoreRange(scores[p0:p1], norms, nil, nil, 0, p1-p0, score, &scratch); err != nil {
			return err
		}
	}
	return nil
}

// setRows points r at the rows x (and flips g) of element type T.
func setRows[T float32 | float64](r *rows, x, g []T) {
	switch x := any(x).(type) {
	case []float32:
		r.f32, r.g32 = x, any(g).([]float32)
	case []float64:
		r.f64, r.g64 = x, any(g).([]float64)
	}
}
