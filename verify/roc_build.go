package verify

import (
	"fmt"
	"math"
	"runtime"
	"sort"

	parallelfor "github.com/evalkit/evalkit/internal/parallel"
)

// rocPoint is a point of the ROC before the division by the class totals:
// a threshold and the genuine (tp) and impostor (fp) scores at or above it.
type rocPoint struct {
	t      float64
	tp, fp int64
}

// rocBuilder turns a stream of cumulative (threshold, tp, fp) points, one
// per distinct threshold in descending order, into a ROC, dropping collinear
// points on the fly with scikit-learn's rule (keep the first and last point
// and every point where the second difference of fps or tps is non-zero).
// It holds three points at a time, so building costs only the kept points.
type rocBuilder struct {
	keepAll bool
	kept    []rocPoint
	// With chunk > 0, points are never copied as they accumulate (the
	// parallel ROC's builders keep millions): a full kept moves to full
	// and a new piece, twice its size and at least chunk, takes its place.
	chunk  int
	full   [][]rocPoint
	n      int         // points seen
	head   [2]rocPoint // the first two points seen
	p1, p2 rocPoint    // the last two points seen, oldest first
}

// newROCBuilder returns a builder whose first point is (0, 0) at +Inf.
func newROCBuilder(keepAll bool, hint int) *rocBuilder {
	b := &rocBuilder{keepAll: keepAll, kept: make([]rocPoint, 0, max(hint, 0)+1)}
	b.kept = append(b.kept, rocPoint{t: math.Inf(1)})
	return b
}

// add takes the next point. Point k-1 is decided once point k is known.
func (b *rocBuilder) add(t float64, tp, fp int64) {
	p := rocPoint{t, tp, fp}
	switch {
	case b.keepAll || b.n == 0:
		b.keep(p)
	case b.n >= 2:
		// decide point n-1 (p2) from points n-2 (p1), n-1 and n
		if tp-2*b.p2.tp+b.p1.tp != 0 || fp-2*b.p2.fp+b.p1.fp != 0 {
			b.keep(b.p2)
		}
	}
	if b.n < 2 {
		b.head[b.n] = p
	}
	b.p1, b.p2 = b.p2, p
	b.n++
}

// keep appends p to the kept points.
func (b *rocBuilder) keep(p rocPoint) {
	if b.chunk > 0 && len(b.kept) == cap(b.kept) {
		if len(b.kept) > 0 {
			b.full = append(b.full, b.kept)
		}
		b.kept = make([]rocPoint, 0, max(b.chunk, 2*cap(b.kept)))
	}
	b.kept = append(b.kept, p)
}

// addRun takes len(ts) points in a row, each one impostor score more than
// the last (distinct impostor scores with no genuine score among them):
// thresholds ts, true positives tp, false positives fp+1, fp+2, …. All
// their increments are equal, so only the first two and the last two can be
// kept; the builder takes those and skips the rest in O(1), as add would
// have dropped them.
func (b *rocBuilder) addRun(ts []float64, tp, fp int64, zero zeroSign) {
	n := len(ts)
	if n < 5 || b.keepAll {
		for k, t := range ts {
			b.add(zero.apply(t), tp, fp+int64(k)+1)
		}
		return
	}
	b.add(zero.apply(ts[0]), tp, fp+1)
	b.add(zero.apply(ts[1]), tp, fp+2)
	// As if ts[2:n-2] had been added: the last two points seen are now
	// ts[n-3] and ts[n-2], and every point before them is decided (ts[1]
	// to ts[n-4] dropped, each between equal increments).
	b.p1 = rocPoint{zero.apply(ts[n-3]), tp, fp + int64(n) - 2}
	b.p2 = rocPoint{zero.apply(ts[n-2]), tp, fp + int64(n) - 1}
	b.n += n - 3
	b.add(zero.apply(ts[n-1]), tp, fp+int64(n))
}

// merge adds the points of genuine and impostor scores, each sorted in
// descending order, that come after tp genuine and fp impostor scores
// above them all; a zero threshold takes the sign zero records. Runs of
// impostor scores that occur once each go through addRun.
func (b *rocBuilder) merge(gen, imp []float64, tp, fp int64, zero zeroSign) {
	var i, j int
	for i < len(gen) || j < len(imp) {
		if j < len(imp) && (i == len(gen) || imp[j] > gen[i]) {
			// Impostor scores above the next genuine one: take the run of
			// those that occur once at a time.
			k := j
			for k < len(imp) && (i == len(gen) || imp[k] > gen[i]) && (k+1 == len(imp) || imp[k+1] != imp[k]) {
				k++
			}
			if k-j >= 5 {
				b.addRun(imp[j:k], tp, fp, zero)
				fp += int64(k - j)
				j = k
				continue
			}
		}
		var t float64
		switch {
		case j == len(imp) || (i < len(gen) && gen[i] >= imp[j]):
			t = gen[i]
		default:
			t = imp[j]
		}
		for i < len(gen) && gen[i] == t {
			i++
			tp++
		}
		for j < len(imp) && imp[j] == t {
			j++
			fp++
		}
		b.add(zero.apply(t), tp, fp)
	}
}

// finish keeps the last point and divides by the class totals. It fails
// when a class is absent (scikit-learn warns and returns NaN rates).
func (b *rocBuilder) finish() (*ROC, error) {
	if b.n == 0 {
		return nil, fmt.Errorf("verify: ROC of no scores")
	}
	if b.n > 1 && !b.keepAll {
		b.kept = append(b.kept, b.p2)
	}
	last := b.kept[len(b.kept)-1]
	return rocOfPoints([][]rocPoint{b.kept}, last.tp, last.fp)
}

// rocOfPoints returns the ROC of the points of pieces, in order, dividing
// by pos genuine and neg impostor scores; on all cores for long curves.
func rocOfPoints(pieces [][]rocPoint, pos, neg int64) (*ROC, error) {
	if pos == 0 || neg == 0 {
		return nil, fmt.Errorf("verify: ROC needs genuine and impostor scores, got %d genuine and %d impostor", pos, neg)
	}
	offs := make([]int, len(pieces)+1)
	for k, p := range pieces {
		offs[k+1] = offs[k] + len(p)
	}
	n := offs[len(pieces)]
	r := &ROC{FPR: make([]float64, n), TPR: make([]float64, n), Thresholds: make([]float64, n), Positives: pos, Negatives: neg}
	fp, tp := float64(neg), float64(pos)
	workers := 1
	if n >= rocParallelPoints {
		workers = runtime.GOMAXPROCS(0)
	}
	_ = parallelfor.For(n, workers, func(_, lo, hi int) error {
		k := sort.SearchInts(offs, lo+1) - 1 // the piece holding point lo
		for i := lo; i < hi; k++ {
			src := pieces[k][i-offs[k] : min(len(pieces[k]), hi-offs[k])]
			for _, p := range src {
				r.Thresholds[i] = p.t
				r.TPR[i] = float64(p.tp) / tp
				r.FPR[i] = float64(p.fp) / fp
				i++
			}
		}
		return nil
	})
	return r, nil
}

// rocParallelPoints is the length from which rocOfPoints divides on all
// cores.
const rocParallelPoints = 1 << 16

// rocFromSorted builds the ROC of genuine and impostor scores, each sorted
// in descending order, by merging the two lists; a zero threshold takes the
// sign zero records.
func rocFromSorted(gen, imp []float64, zero zeroSign, keepAll bool) (*ROC, error) {
	b := newROCBuilder(keepAll, 0)
	b.merge(gen, imp, 0, 0, zero)
	return b.finish()
}
