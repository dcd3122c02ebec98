package metric

import (
	"fmt"

	"github.com/evalkit/evalkit/nd"
)

// Loss is MXNet's Loss ("loss"): the mean of every element of every
// prediction; labels are ignored and may be nil. Torch ("torch") and Caffe
// ("caffe") are the same metric under other names.
type Loss struct{ Base }

// NewLoss returns a Loss metric. kind is "Loss", "Torch" or "Caffe".
func NewLoss(kind string, o Options) (*Loss, error) {
	var name string
	switch kind {
	case "Loss":
		name = "loss"
	case "Torch":
		name = "torch"
	case "Caffe":
		name = "caffe"
	default:
		return nil, fmt.Errorf("metric loss: kind must be Loss, Torch or Caffe, got %q", kind)
	}
	m := &Loss{}
	m.Init(m, kind, name, o, true)
	return m, nil
}

// Update adds the sum and the element count of every prediction.
func (m *Loss) Update(_, preds []*nd.Array) error {
	var sum float64
	var num int
	for i, p := range preds {
		if p == nil {
			return fmt.Errorf("metric %s: prediction %d is nil", m.name, i)
		}
		if f := p.Float32s(); f != nil {
			for _, v := range f {
				sum += float64(v)
			}
		} else {
			for j := 0; j < p.Size(); j++ {
				sum += p.Float(j)
			}
		}
		num += p.Size()
	}
	m.Add(sum, float64(num))
	return nil
}

func init() {
	for _, kind := range []string{"Loss", "Torch", "Caffe"} {
		MustRegister(kind, func(a Args) (Metric, error) {
			r := newArgReader(kind, a)
			o := readOptions(r)
			if err := r.Done(); err != nil {
				return nil, err
			}
			return NewLoss(kind, o)
		})
	}
}
