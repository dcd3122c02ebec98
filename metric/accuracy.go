package metric

import (
	"fmt"
	"slices"
	"sync"

	"github.com/evalkit/evalkit/nd"
)

// Accuracy is MXNet's Accuracy ("acc", "accuracy"): the fraction of samples
// whose arg-max prediction along Axis equals the label.
//
// As in MXNet 1.9.1: when a prediction already has the label's shape no
// arg-max is taken and both are truncated to integers and compared
// elementwise; labels are truncated toward zero (2.7 → 2); both sides are
// flattened, so a (2, 3) label matches a (6, C) prediction; ties go to the
// first maximal index and a NaN wins the arg-max. A label that is NaN or
// outside the int32 range never matches. Padded samples are counted.
type Accuracy struct {
	Base
	axis int
}

// NewAccuracy returns an Accuracy over axis (MXNet's default is 1).
func NewAccuracy(axis int, o Options) *Accuracy {
	m := &Accuracy{axis: axis}
	m.Init(m, "Accuracy", "accuracy", o, true, Arg{"axis", axis})
	return m
}

// Update adds the correct count and the sample count of every pair.
func (m *Accuracy) Update(labels, preds []*nd.Array) error {
	if err := checkLists(m.name, labels, preds); err != nil {
		return err
	}
	var correct, total int64
	for i := range preds {
		c, n, err := m.pair(labels[i], preds[i])
		if err != nil {
			return err
		}
		correct += c
		total += n
	}
	m.Add(float64(correct), float64(total))
	return nil
}

func (m *Accuracy) pair(label, pred *nd.Array) (correct, total int64, err error) {
	if nd.SameShape(label, pred) {
		n := label.Size()
		for i := 0; i < n; i++ {
			l, okl := label.Int(i)
			p, okp := pred.Int(i)
			if okl && okp && l == p {
				correct++
			}
		}
		return correct, int64(n), nil
	}
	ps := pred.Shape()
	ax := m.axis
	if ax < 0 {
		ax += len(ps)
	}
	// Fast path: (N, C) float32 scores, arg-max over the last axis, large
	// inputs read by several cores (nd.ArgMaxRowsFloat32).
	if f := pred.Float32s(); f != nil && len(ps) == 2 && ax == 1 && ps[1] > 0 {
		n, c := ps[0], ps[1]
		if label.Size() != n {
			return 0, 0, shapeMismatch(m.name, label, pred, fmt.Sprintf("want %d labels, one per row", n))
		}
		bp := scratch.Get().(*[]int64)
		idx := slices.Grow((*bp)[:0], n)[:n]
		nd.ArgMaxRowsFloat32(f, c, idx)
		for r, p := range idx {
			if l, ok := label.Int(r); ok && p == l {
				correct++
			}
		}
		*bp = idx
		scratch.Put(bp)
		return correct, int64(n), nil
	}
	idx, _, err := nd.ArgMax(pred, m.axis, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("metric %s: %w", m.name, err)
	}
	if len(idx) != label.Size() {
		return 0, 0, shapeMismatch(m.name, label, pred, fmt.Sprintf("arg-max over axis %d gives %d values, labels have %d", m.axis, len(idx), label.Size()))
	}
	for i, p := range idx {
		if l, ok := label.Int(i); ok && l == p {
			correct++
		}
	}
	return correct, int64(len(idx)), nil
}

// scratch holds arg-max buffers, so Update allocates nothing in steady state.
var scratch = sync.Pool{New: func() any { return new([]int64) }}

func init() {
	MustRegister("accuracy", func(a Args) (Metric, error) {
		r := newArgReader("accuracy", a)
		axis := r.Int("axis", 1)
		o := readOptions(r)
		if err := r.Done(); err != nil {
			return nil, err
		}
		return NewAccuracy(axis, o), nil
	})
	_ = Alias("accuracy", "acc")
}
