package metric

import (
	"fmt"
	"math"

	"github.com/evalkit/evalkit/nd"
)

// Perplexity is MXNet's Perplexity ("perplexity"): exp of the mean negative
// log probability of the label, picked along Axis. Labels equal to
// IgnoreLabel contribute nothing and are not counted.
//
// As in MXNet 1.9.1, the pick clips labels into [0, C) (so an out-of-range
// label picks an edge column) and probabilities are floored at 1e-10.
// MXNet requires ignore_label; Create accepts null for "ignore nothing".
type Perplexity struct {
	Base
	ignore *int64
	axis   int
}

// NewPerplexity returns a Perplexity. ignore is the label to skip, or nil.
func NewPerplexity(ignore *int64, axis int, o Options) *Perplexity {
	m := &Perplexity{ignore: ignore, axis: axis}
	var ig any
	if ignore != nil {
		ig = *ignore
	}
	args := []Arg{{"ignore_label", ig}}
	if axis != -1 {
		args = append(args, Arg{"axis", axis}) // MXNet drops axis; kept so configs round-trip
	}
	m.Init(m, "Perplexity", "perplexity", o, true, args...)
	m.setValue(func(s Stats) float64 {
		if s.Num == 0 {
			return math.NaN()
		}
		return math.Exp(s.Sum / s.Num)
	})
	return m
}

// Update adds the summed negative log probabilities and the counted labels.
func (m *Perplexity) Update(labels, preds []*nd.Array) error {
	if len(labels) != len(preds) {
		return fmt.Errorf("metric %s: %d label arrays but %d prediction arrays", m.name, len(labels), len(preds))
	}
	var loss, num float64
	for i := range preds {
		label, pred := labels[i], preds[i]
		if label == nil || pred == nil {
			return fmt.Errorf("metric %s: pair %d has a nil array", m.name, i)
		}
		ps := pred.Shape()
		ax := m.axis
		if ax < 0 {
			ax += len(ps)
		}
		if ax < 0 || ax >= len(ps) || ps[ax] == 0 {
			return fmt.Errorf("metric %s: axis %d is out of range for predictions of shape %s", m.name, m.axis, nd.ShapeString(ps))
		}
		c := ps[ax]
		if label.Size()*c != pred.Size() {
			return fmt.Errorf("metric %s: shape mismatch: labels %s vs. predictions %s (want %d labels)",
				m.name, nd.ShapeString(label.Shape()), nd.ShapeString(ps), pred.Size()/c)
		}
		inner := 1
		for _, d := range ps[ax+1:] {
			inner *= d
		}
		for j := 0; j < label.Size(); j++ {
			l, err := labelClass(m.name, label, j)
			if err != nil {
				return err
			}
			if m.ignore != nil && l == *m.ignore {
				continue
			}
			l = max(0, min(l, int64(c-1))) // pick's clip mode
			o, in := j/inner, j%inner
			p := pred.Float((o*c+int(l))*inner + in)
			loss -= math.Log(math.Max(1e-10, p))
			num++
		}
	}
	m.Add(loss, num)
	return nil
}

func init() {
	MustRegister("perplexity", func(a Args) (Metric, error) {
		r := newArgReader("perplexity", a)
		if !r.Has("ignore_label") {
			return nil, fmt.Errorf("metric perplexity: missing required argument ignore_label (MXNet has no default; use null to ignore nothing, or -1)")
		}
		ig := r.OptInt("ignore_label", nil)
		axis := r.Int("axis", -1)
		o := readOptions(r)
		if err := r.Done(); err != nil {
			return nil, err
		}
		var ig64 *int64
		if ig != nil {
			v := int64(*ig)
			ig64 = &v
		}
		return NewPerplexity(ig64, axis, o), nil
	})
}
