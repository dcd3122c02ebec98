package metric

import (
	"fmt"
	"math"

	"github.com/evalkit/evalkit/nd"
)

// PCC is MXNet's PCC ("pcc"): the multiclass Matthews correlation (Gorodkin's
// R_K) of a K×K confusion matrix whose rows are predicted classes and whose
// columns are true classes. K starts at 2 and grows with the largest class
// seen; it never shrinks. The count MXNet divides by is the number of update
// calls, so the value is the matrix's R_K.
//
// Predictions of the label's shape are read as class indices; otherwise the
// arg-max along axis 1 is taken. Negative classes index from the end, as
// numpy does in MXNet.
type PCC struct {
	Base
	st Statistics[pccState]
}

// pccState is PCC's state: a k×k confusion matrix (row-major, rows
// predicted, columns true) and the number of update calls.
type pccState struct {
	K      int       `json:"k"`
	Matrix []float64 `json:"matrix"`
	Calls  float64   `json:"calls"`
}

func newPCCState(k int) pccState { return pccState{K: k, Matrix: make([]float64, k*k)} }

// grown returns s with room for k classes (at least s.K), zero-padded.
func (s pccState) grown(k int) pccState {
	if k <= s.K && len(s.Matrix) == s.K*s.K {
		return s
	}
	k = max(k, s.K)
	out := newPCCState(k)
	for r := 0; r < s.K; r++ {
		copy(out.Matrix[r*k:r*k+s.K], s.Matrix[r*s.K:(r+1)*s.K])
	}
	out.Calls = s.Calls
	return out
}

// Merge adds the matrices (the smaller padded) and the call counts.
func (s pccState) Merge(o pccState) pccState {
	s = s.grown(max(o.K, 2))
	for r := 0; r < o.K; r++ {
		for c := 0; c < o.K; c++ {
			s.Matrix[r*s.K+c] += o.Matrix[r*o.K+c]
		}
	}
	s.Calls += o.Calls
	return s
}

// Cleared empties the matrix and keeps K, as MXNet's reset does.
func (s pccState) Cleared() pccState {
	s = s.grown(2)
	clear(s.Matrix)
	s.Calls = 0
	return s
}

// CopyFrom sets s to a copy of o, reusing s's matrix storage.
func (s *pccState) CopyFrom(o pccState) {
	s.Matrix = append(s.Matrix[:0], o.Matrix...)
	s.K, s.Calls = o.K, o.Calls
}

// Validate checks a decoded state's shape.
func (s pccState) Validate() error {
	if s.K < 0 || s.K > 1<<15 || len(s.Matrix) != s.K*s.K {
		return fmt.Errorf("matrix has %d entries, want k×k = %d×%d", len(s.Matrix), s.K, s.K)
	}
	return nil
}

func (s pccState) value() float64 {
	if s.Calls == 0 {
		return math.NaN()
	}
	return pccCalc(s.Matrix, s.K) * s.Calls / s.Calls // MXNet: sum_metric = calc·num, get = sum/num
}

// NewPCC returns a PCC metric.
func NewPCC(o Options) *PCC {
	m := &PCC{}
	m.Init(m, "PCC", "pcc", o, true)
	m.st.Declare(&m.Base, pccState.value)
	m.st.local, m.st.global = newPCCState(2), newPCCState(2)
	return m
}

// Update adds every pair to the confusion matrices and counts one call.
func (m *PCC) Update(labels, preds []*nd.Array) error {
	if err := checkLists(m.name, labels, preds); err != nil {
		return err
	}
	type cell struct{ p, l int64 }
	var cells []cell
	for i := range preds {
		label, pred := labels[i], preds[i]
		var pl []int64
		if nd.SameShape(label, pred) {
			for j := 0; j < pred.Size(); j++ {
				v, err := labelClass(m.name, pred, j)
				if err != nil {
					return fmt.Errorf("metric %s: prediction %d is not a class index", m.name, j)
				}
				pl = append(pl, v)
			}
		} else {
			if pred.NDim() < 2 {
				return shapeMismatch(m.name, label, pred, "predictions must be scores (samples, classes) or class indices of the labels' shape")
			}
			idx, _, err := nd.ArgMax(pred, 1, nil)
			if err != nil {
				return fmt.Errorf("metric %s: %w", m.name, err)
			}
			pl = idx
		}
		if len(pl) != label.Size() {
			return shapeMismatch(m.name, label, pred, fmt.Sprintf("%d predicted classes for %d labels", len(pl), label.Size()))
		}
		for j := range pl {
			l, err := labelClass(m.name, label, j)
			if err != nil {
				return err
			}
			cells = append(cells, cell{pl[j], l})
		}
	}
	var top, bottom int64
	for _, c := range cells {
		top = max(top, c.p, c.l)
		bottom = min(bottom, c.p, c.l)
	}
	var err error
	m.st.Update(func(s *pccState) {
		if err != nil {
			return
		}
		// K grows with the largest class seen and never shrinks; local and
		// global grow alike, so the check below agrees for both.
		k := max(int64(s.K), top+1)
		if bottom < -k {
			err = fmt.Errorf("metric %s: class %d is out of bounds for %d classes", m.name, bottom, k)
			return
		}
		*s = s.grown(int(k))
		for _, c := range cells {
			p, l := (c.p+k)%k, (c.l+k)%k // numpy's negative indexing
			s.Matrix[p*k+l]++
		}
		s.Calls++
	})
	return err
}

// pccCalc is MXNet's PCC.calc: R_K of a k×k confusion matrix, NaN when
// either marginal is degenerate.
func pccCalc(cm []float64, k int) float64 {
	var n float64
	x := make([]float64, k)
	y := make([]float64, k)
	for r := 0; r < k; r++ {
		for c := 0; c < k; c++ {
			v := cm[r*k+c]
			n += v
			x[r] += v
			y[c] += v
		}
	}
	var cxx, cyy, cxy float64
	for i := 0; i < k; i++ {
		cxx += x[i] * (n - x[i])
		cyy += y[i] * (n - y[i])
		cxy += cm[i*k+i]*n - x[i]*y[i]
	}
	if cxx == 0 || cyy == 0 {
		return math.NaN()
	}
	return cxy / math.Sqrt(cxx*cyy)
}

func init() {
	MustRegister("pcc", func(a Args) (Metric, error) {
		r := newArgReader("pcc", a)
		o := readOptions(r)
		if err := r.Done(); err != nil {
			return nil, err
		}
		return NewPCC(o), nil
	})
}
