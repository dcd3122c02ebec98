package metric

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/evalkit/evalkit/internal/jsonnum"
	"github.com/evalkit/evalkit/nd"
)

// moments are the running statistics of micro Pearson correlation: counts,
// means, sums of squared deviations and the co-moment, updated in blocks
// exactly as MXNet's update_variance does, and mergeable (Chan et al.).
type moments struct {
	N     float64 `json:"n"`
	MeanL float64 `json:"mean_label"`
	MeanP float64 `json:"mean_pred"`
	M2L   float64 `json:"m2_label"`
	M2P   float64 `json:"m2_pred"`
	C     float64 `json:"comoment"`
}

// add folds in one block in MXNet's order: label moments, the co-moment with
// the new label mean and the old prediction mean, then prediction moments.
func (s *moments) add(l, p []float64) {
	s.N += float64(len(l))
	var dl float64
	for _, x := range l {
		dl += (x - s.MeanL) / s.N
	}
	oldL := s.MeanL
	s.MeanL += dl
	for _, x := range l {
		s.M2L += (x - oldL) * (x - s.MeanL)
	}
	for i := range l {
		s.C += (l[i] - s.MeanL) * (p[i] - s.MeanP)
	}
	var dp float64
	for _, y := range p {
		dp += (y - s.MeanP) / s.N
	}
	oldP := s.MeanP
	s.MeanP += dp
	for _, y := range p {
		s.M2P += (y - oldP) * (y - s.MeanP)
	}
}

type momentsJSON struct {
	N     jsonnum.Float `json:"n"`
	MeanL jsonnum.Float `json:"mean_label"`
	MeanP jsonnum.Float `json:"mean_pred"`
	M2L   jsonnum.Float `json:"m2_label"`
	M2P   jsonnum.Float `json:"m2_pred"`
	C     jsonnum.Float `json:"comoment"`
}

// MarshalJSON encodes the moments losslessly (NaN and infinities as
// strings, docs/formats.md).
func (s moments) MarshalJSON() ([]byte, error) {
	return json.Marshal(momentsJSON{jsonnum.Float(s.N), jsonnum.Float(s.MeanL), jsonnum.Float(s.MeanP),
		jsonnum.Float(s.M2L), jsonnum.Float(s.M2P), jsonnum.Float(s.C)})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (s *moments) UnmarshalJSON(b []byte) error {
	var j momentsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = moments{float64(j.N), float64(j.MeanL), float64(j.MeanP), float64(j.M2L), float64(j.M2P), float64(j.C)}
	return nil
}

// merge combines two blocks of moments.
func (s *moments) merge(o moments) {
	if o.N == 0 {
		return
	}
	if s.N == 0 {
		*s = o
		return
	}
	n := s.N + o.N
	dl, dp := o.MeanL-s.MeanL, o.MeanP-s.MeanP
	f := s.N * o.N / n
	s.M2L += o.M2L + dl*dl*f
	s.M2P += o.M2P + dp*dp*f
	s.C += o.C + dl*dp*f
	s.MeanL += dl * o.N / n
	s.MeanP += dp * o.N / n
	s.N = n
}

func (s moments) r() float64 {
	n := s.N
	return s.C / ((n - 1) * math.Sqrt(s.M2P/(n-1)) * math.Sqrt(s.M2L/(n-1)))
}

// PearsonCorrelation is MXNet's PearsonCorrelation ("pearsonr",
// "pearsoncorrelation"). Label and prediction of every pair must have the
// same shape. average "macro" (default) is the mean of per-pair Pearson r
// (a constant pair gives NaN, which stays until Reset, as in MXNet);
// "micro" is r over all values seen, from running moments. In micro mode
// evalkit keeps local and global moments apart (MXNet's get_global always
// returns 0.0 and reset_local leaves the moments).
type PearsonCorrelation struct {
	Base
	micro bool
	st    Statistics[pearsonMicro] // micro mode; macro uses Base's Stats
}

// pearsonMicro is micro Pearson's state: the moments and the number of
// update pairs.
type pearsonMicro struct {
	Moments moments `json:"moments"`
	Calls   float64 `json:"calls"`
}

// Merge combines the moments (Chan et al.) and adds the pair counts.
func (s pearsonMicro) Merge(o pearsonMicro) pearsonMicro {
	s.Moments.merge(o.Moments)
	s.Calls += o.Calls
	return s
}

func (s pearsonMicro) value() float64 {
	if s.Calls == 0 {
		return math.NaN()
	}
	return s.Moments.r()
}

// NewPearsonCorrelation returns the metric; average is "macro" or "micro".
func NewPearsonCorrelation(average string, o Options) (*PearsonCorrelation, error) {
	m := &PearsonCorrelation{}
	var args []Arg
	switch average {
	case "macro":
	case "micro":
		m.micro = true
		args = []Arg{{"average", "micro"}}
	default:
		return nil, fmt.Errorf("metric pearsonr: average must be \"macro\" or \"micro\", got %q", average)
	}
	m.Init(m, "PearsonCorrelation", "pearsonr", o, true, args...)
	if m.micro {
		m.st.Declare(&m.Base, pearsonMicro.value)
	}
	return m, nil
}

// Update adds each pair.
func (m *PearsonCorrelation) Update(labels, preds []*nd.Array) error {
	if err := checkLists(m.name, labels, preds); err != nil {
		return err
	}
	for i := range preds {
		if !nd.SameShape(labels[i], preds[i]) {
			return shapeMismatch(m.name, labels[i], preds[i], "they must be equal")
		}
	}
	var sum float64
	ls := make([][]float64, len(preds))
	ps := make([][]float64, len(preds))
	for i := range preds {
		ls[i] = labels[i].AppendFloat64(nil)
		ps[i] = preds[i].AppendFloat64(nil)
		if !m.micro {
			sum += corrcoef(ps[i], ls[i])
		}
	}
	if !m.micro {
		m.Add(sum, float64(len(preds)))
		return nil
	}
	m.st.Update(func(s *pearsonMicro) {
		for i := range ls {
			s.Moments.add(ls[i], ps[i])
		}
		s.Calls += float64(len(preds))
	})
	return nil
}

// corrcoef is numpy.corrcoef(x, y)[0, 1]: covariance with ddof 1 divided by
// both standard deviations, clipped to [-1, 1].
func corrcoef(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxx, syy, sxy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxx += dx * dx
		syy += dy * dy
		sxy += dx * dy
	}
	c := sxy / (n - 1)
	r := c / math.Sqrt(sxx/(n-1)) / math.Sqrt(syy/(n-1))
	if r > 1 {
		r = 1
	} else if r < -1 {
		r = -1
	}
	return r
}

func init() {
	MustRegister("pearsoncorrelation", func(a Args) (Metric, error) {
		r := newArgReader("pearsonr", a)
		avg := r.String("average", "macro")
		o := readOptions(r)
		if err := r.Done(); err != nil {
			return nil, err
		}
		return NewPearsonCorrelation(avg, o)
	})
	_ = Alias("pearsoncorrelation", "pearsonr")
}
