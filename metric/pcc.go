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
	k        int
	lcm, gcm []float64 // k×k, row-major
}

// NewPCC returns a PCC metric.
func NewPCC(o Options) *PCC {
	m := &PCC{k: 2, lcm: make([]float64, 4), gcm: make([]float64, 4)}
	m.Init(m, "PCC", "pcc", o, true)
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
	m.mu.Lock()
	defer m.mu.Unlock()
	var top int64
	for _, c := range cells {
		top = max(top, c.p, c.l)
	}
	if top >= int64(m.k) {
		m.grow(int(top) + 1)
	}
	k := int64(m.k)
	for _, c := range cells {
		if c.p < -k || c.l < -k {
			return fmt.Errorf("metric %s: class %d is out of bounds for %d classes", m.name, min(c.p, c.l), m.k)
		}
	}
	for _, c := range cells {
		p, l := (c.p+k)%k, (c.l+k)%k // numpy's negative indexing
		m.lcm[p*k+l]++
		m.gcm[p*k+l]++
	}
	m.local.Num++
	m.global.Num++
	return nil
}

func (m *PCC) grow(k int) {
	pad := func(cm []float64) []float64 {
		out := make([]float64, k*k)
		for r := 0; r < m.k; r++ {
			copy(out[r*k:r*k+m.k], cm[r*m.k:(r+1)*m.k])
		}
		return out
	}
	m.lcm, m.gcm = pad(m.lcm), pad(m.gcm)
	m.k = k
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

func (m *PCC) value(cm []float64, num float64) float64 {
	if num == 0 {
		return math.NaN()
	}
	return pccCalc(cm, m.k) * num / num // MXNet: sum_metric = calc·num, get = sum/num
}

// Get returns the local value.
func (m *PCC) Get() ([]string, []float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return []string{m.name}, []float64{m.value(m.lcm, m.local.Num)}
}

// GetGlobal returns the global value.
func (m *PCC) GetGlobal() ([]string, []float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return []string{m.name}, []float64{m.value(m.gcm, m.global.Num)}
}

// Reset clears both matrices; K is kept, as in MXNet.
func (m *PCC) Reset() {
	m.mu.Lock()
	clear(m.lcm)
	clear(m.gcm)
	m.local, m.global = Stats{}, Stats{}
	m.mu.Unlock()
}

// ResetLocal clears the local matrix.
func (m *PCC) ResetLocal() {
	m.mu.Lock()
	clear(m.lcm)
	m.local = Stats{}
	m.mu.Unlock()
}

type pccState struct {
	K      int       `json:"k"`
	Matrix []float64 `json:"matrix"`
	Calls  float64   `json:"calls"`
}

// State exports the matrices and call counts.
func (m *PCC) State() (State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return encodeTwin(&m.Base, pccState{m.k, m.lcm, m.local.Num}, pccState{m.k, m.gcm, m.global.Num}), nil
}

func (m *PCC) decode(st State) (l, g pccState, err error) {
	if l, g, err = decodeTwin[pccState](&m.Base, st); err != nil {
		return l, g, err
	}
	for _, s := range []pccState{l, g} {
		if s.K < 0 || s.K > 1<<15 || len(s.Matrix) != s.K*s.K {
			return l, g, fmt.Errorf("metric %s: state: matrix has %d entries, want k×k = %d×%d", m.name, len(s.Matrix), s.K, s.K)
		}
	}
	return l, g, nil
}

func (m *PCC) addInto(dst []float64, s pccState) {
	for r := 0; r < s.K; r++ {
		for c := 0; c < s.K; c++ {
			dst[r*m.k+c] += s.Matrix[r*s.K+c]
		}
	}
}

// SetState replaces the statistics.
func (m *PCC) SetState(st State) error {
	l, g, err := m.decode(st)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.lcm)
	clear(m.gcm)
	m.local, m.global = Stats{}, Stats{}
	return m.mergeLocked(l, g)
}

// MergeState adds another shard's matrices and counts.
func (m *PCC) MergeState(st State) error {
	l, g, err := m.decode(st)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mergeLocked(l, g)
}

func (m *PCC) mergeLocked(l, g pccState) error {
	if k := max(l.K, g.K); k > m.k {
		m.grow(k)
	}
	m.addInto(m.lcm, l)
	m.addInto(m.gcm, g)
	m.local.Num += l.Calls
	m.global.Num += g.Calls
	return nil
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
