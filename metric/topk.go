package metric

import (
	"fmt"
	"slices"
	"strings"

	"github.com/evalkit/evalkit/nd"
)

// TopKAccuracy is MXNet's TopKAccuracy ("top_k_accuracy", "top_k_acc",
// "topkaccuracy"): a sample counts when its label is among the indices of
// its k highest scores. Its name is "<name>_<k>".
//
// Deviations from MXNet 1.9.1, each a fix (docs/compatibility.md): k above
// the class count is clamped to it (MXNet raises); 1-D predictions are
// rejected (MXNet compares a permutation with the labels and never updates
// the global value); ties are decided by a documented rule — higher score
// first, NaN above everything, then the lower index — where MXNet's depends
// on introselect. A config round trip keeps the name (MXNet appends "_k"
// again).
type TopKAccuracy struct {
	Base
	k int
}

// NewTopKAccuracy returns a TopKAccuracy; k must be at least 2, as MXNet
// asserts ("use Accuracy if top_k is no more than 1").
func NewTopKAccuracy(k int, o Options) (*TopKAccuracy, error) {
	if k <= 1 {
		return nil, fmt.Errorf("metric top_k_accuracy: top_k is %d; please use Accuracy if top_k is no more than 1", k)
	}
	m := &TopKAccuracy{k: k}
	name := o.Name
	if name == "" {
		name = "top_k_accuracy"
	}
	if suffix := fmt.Sprintf("_%d", k); !strings.HasSuffix(name, suffix) || o.Name == "" {
		name += suffix
	}
	o.Name = name
	m.Init(m, "TopKAccuracy", name, o, true, Arg{"top_k", k})
	return m, nil
}

// Update adds, for every pair, the samples whose label is in the top k.
func (m *TopKAccuracy) Update(labels, preds []*nd.Array) error {
	if err := checkLists(m.name, labels, preds); err != nil {
		return err
	}
	var hits, total int64
	for i := range preds {
		label, pred := labels[i], preds[i]
		ps := pred.Shape()
		if len(ps) != 2 {
			return fmt.Errorf("metric %s: predictions must be 2-D (samples, classes), got shape %s", m.name, nd.ShapeString(ps))
		}
		n, c := ps[0], ps[1]
		if label.Size() != n {
			return shapeMismatch(m.name, label, pred, fmt.Sprintf("want %d labels, one per row", n))
		}
		k := min(m.k, c)
		if f := pred.Float32s(); f != nil {
			// Every row on every core; labels that cannot match become -1.
			bp := scratch.Get().(*[]int64)
			ls := slices.Grow((*bp)[:0], n)[:n]
			for r := range ls {
				l, ok := label.Int(r)
				if !ok || l < 0 || l >= int64(c) {
					l = -1
				}
				ls[r] = l
			}
			hits += nd.InTopKRowsFloat32(f, c, ls, k)
			*bp = ls
			scratch.Put(bp)
		} else {
			var row []float32
			for r := 0; r < n; r++ {
				l, ok := label.Int(r)
				if !ok || l < 0 || l >= int64(c) {
					continue // never matches, as in MXNet
				}
				if row = rowAsFloat32(pred, r, c, row); nd.InTopK(row, int(l), k) {
					hits++
				}
			}
		}
		total += int64(n)
	}
	m.Add(float64(hits), float64(total))
	return nil
}

// rowAsFloat32 copies row r of a non-float32 (N, C) array into buf.
// Float64 scores are ranked after rounding to float32, as MXNet does
// (pred.astype(float32)).
func rowAsFloat32(a *nd.Array, r, c int, buf []float32) []float32 {
	buf = buf[:0]
	for j := 0; j < c; j++ {
		buf = append(buf, float32(a.Float(r*c+j)))
	}
	return buf
}

func init() {
	MustRegister("topkaccuracy", func(a Args) (Metric, error) {
		r := newArgReader("top_k_accuracy", a)
		k := r.Int("top_k", 1)
		o := readOptions(r)
		if err := r.Done(); err != nil {
			return nil, err
		}
		return NewTopKAccuracy(k, o)
	})
	_ = Alias("topkaccuracy", "top_k_accuracy", "top_k_acc")
}
