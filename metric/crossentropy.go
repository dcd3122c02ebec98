package metric

import (
	"fmt"
	"math"

	"github.com/evalkit/evalkit/nd"
)

// CrossEntropy is MXNet's CrossEntropy ("ce", "crossentropy"): the mean over
// samples of −log(p[label] + eps) for (N, C) probabilities.
//
// As in MXNet 1.9.1, eps is added (not a floor) and labels index as numpy
// does: −1 selects the last column, and a label of C or more, or below −C,
// is an error.
type CrossEntropy struct {
	Base
	eps float64
}

// NewCrossEntropy returns a CrossEntropy with the given eps (MXNet: 1e-12).
func NewCrossEntropy(eps float64, o Options) *CrossEntropy {
	m := &CrossEntropy{eps: eps}
	m.Init(m, "CrossEntropy", "cross-entropy", o, true, Arg{"eps", eps})
	return m
}

// Update adds the summed losses and the sample count.
func (m *CrossEntropy) Update(labels, preds []*nd.Array) error {
	sum, num, err := pickedNLL(m.name, m.eps, labels, preds)
	if err != nil {
		return err
	}
	m.Add(sum, num)
	return nil
}

// NegativeLogLikelihood is MXNet's NegativeLogLikelihood ("nll_loss",
// "negativeloglikelihood"), numerically identical to CrossEntropy and
// displayed as "nll-loss".
type NegativeLogLikelihood struct {
	Base
	eps float64
}

// NewNegativeLogLikelihood returns the metric with the given eps (MXNet:
// 1e-12).
func NewNegativeLogLikelihood(eps float64, o Options) *NegativeLogLikelihood {
	m := &NegativeLogLikelihood{eps: eps}
	m.Init(m, "NegativeLogLikelihood", "nll-loss", o, true, Arg{"eps", eps})
	return m
}

// Update adds the summed losses and the sample count.
func (m *NegativeLogLikelihood) Update(labels, preds []*nd.Array) error {
	sum, num, err := pickedNLL(m.name, m.eps, labels, preds)
	if err != nil {
		return err
	}
	m.Add(sum, num)
	return nil
}

func pickedNLL(name string, eps float64, labels, preds []*nd.Array) (sum, num float64, err error) {
	if err := checkLists(name, labels, preds); err != nil {
		return 0, 0, err
	}
	for i := range preds {
		label, pred := labels[i], preds[i]
		ps := pred.Shape()
		if len(ps) != 2 {
			return 0, 0, fmt.Errorf("metric %s: predictions must be 2-D probabilities (samples, classes), got shape %s", name, nd.ShapeString(ps))
		}
		n, c := ps[0], ps[1]
		if label.Size() != n {
			return 0, 0, shapeMismatch(name, label, pred, fmt.Sprintf("want %d labels, one per row", n))
		}
		for r := 0; r < n; r++ {
			l, err := labelClass(name, label, r)
			if err != nil {
				return 0, 0, err
			}
			if l < 0 {
				l += int64(c) // numpy's negative indexing
			}
			if l < 0 || l >= int64(c) {
				v, _ := label.Int(r)
				return 0, 0, fmt.Errorf("metric %s: label %d at row %d is out of bounds for %d classes", name, v, r, c)
			}
			sum -= math.Log(pred.Float(r*c+int(l)) + eps)
		}
		num += float64(n)
	}
	return sum, num, nil
}

func init() {
	MustRegister("crossentropy", func(a Args) (Metric, error) {
		r := newArgReader("cross-entropy", a)
		eps := r.Float("eps", 1e-12)
		o := readOptions(r)
		if err := r.Done(); err != nil {
			return nil, err
		}
		return NewCrossEntropy(eps, o), nil
	})
	_ = Alias("crossentropy", "ce")
	MustRegister("negativeloglikelihood", func(a Args) (Metric, error) {
		r := newArgReader("nll-loss", a)
		eps := r.Float("eps", 1e-12)
		o := readOptions(r)
		if err := r.Done(); err != nil {
			return nil, err
		}
		return NewNegativeLogLikelihood(eps, o), nil
	})
	_ = Alias("negativeloglikelihood", "nll_loss")
}
