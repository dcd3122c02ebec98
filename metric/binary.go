package metric

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/evalkit/evalkit/nd"
)

// binaryCounts is MXNet's _BinaryClassificationMetrics: the confusion counts
// of a binary classifier whose positive class is 1.
type binaryCounts struct {
	TP float64 `json:"tp"`
	FP float64 `json:"fp"`
	FN float64 `json:"fn"`
	TN float64 `json:"tn"`
}

func (c *binaryCounts) add(o binaryCounts) {
	c.TP += o.TP
	c.FP += o.FP
	c.FN += o.FN
	c.TN += o.TN
}

// Merge returns the counts added.
func (c binaryCounts) Merge(o binaryCounts) binaryCounts {
	c.add(o)
	return c
}

func (c binaryCounts) total() float64 { return c.TP + c.FP + c.FN + c.TN }

func (c binaryCounts) fscore() float64 {
	var p, r float64
	if c.TP+c.FP > 0 {
		p = c.TP / (c.TP + c.FP)
	}
	if c.TP+c.FN > 0 {
		r = c.TP / (c.TP + c.FN)
	}
	if p+r > 0 {
		return 2 * p * r / (p + r)
	}
	return 0
}

func (c binaryCounts) mcc() float64 {
	if c.total() == 0 {
		return 0
	}
	denom := 1.0
	for _, t := range [4]float64{c.TP + c.FP, c.TP + c.FN, c.TN + c.FP, c.TN + c.FN} {
		if t != 0 {
			denom *= t
		}
	}
	return (c.TP*c.TN - c.FP*c.FN) / math.Sqrt(denom)
}

// binaryPair counts one (label, pred) pair: pred (N, C) scores, label N
// values. Positives are label == 1 and argmax == 1. More than two distinct
// label values is an error, as in MXNet. Labels of shape (N, 1) are
// flattened (MXNet broadcasts them to N×N and counts wrongly, #16880).
func binaryPair(name string, label, pred *nd.Array) (binaryCounts, error) {
	var c binaryCounts
	ps := pred.Shape()
	if len(ps) != 2 || ps[1] == 0 {
		return c, fmt.Errorf("metric %s: predictions must be 2-D scores (samples, classes), got shape %s", name, nd.ShapeString(ps))
	}
	n, k := ps[0], ps[1]
	if label.Size() != n {
		return c, shapeMismatch(name, label, pred, fmt.Sprintf("want %d labels, one per row", n))
	}
	var seen [3]int64 // distinct label values so far; a third is an error
	nseen := 0
	f := pred.Float32s()
	var row []float32
	for i := 0; i < n; i++ {
		l, err := labelClass(name, label, i)
		if err != nil {
			return c, err
		}
		if !slices.Contains(seen[:nseen], l) {
			seen[nseen] = l
			nseen++
			if nseen > 2 {
				vals := []string{fmt.Sprint(seen[0]), fmt.Sprint(seen[1]), fmt.Sprint(seen[2])}
				sort.Strings(vals)
				return c, fmt.Errorf("metric %s: supports binary classification only, but the labels hold 3 or more distinct values (%s, ...)", name, strings.Join(vals, ", "))
			}
		}
		if f != nil {
			row = f[i*k : (i+1)*k]
		} else {
			row = rowAsFloat32(pred, i, k, row)
		}
		pl := nd.ArgMaxFloat32(row) == 1
		tl := l == 1
		switch {
		case pl && tl:
			c.TP++
		case pl && !tl:
			c.FP++
		case !pl && tl:
			c.FN++
		default:
			c.TN++
		}
	}
	return c, nil
}

// binaryMetric is F1 or MCC: the shared update; the state is Base's Stats
// (macro) or pooled counts (micro).
type binaryMetric struct {
	Base
	micro bool
	score func(binaryCounts) float64
	st    Statistics[binaryCounts] // micro mode
}

func (m *binaryMetric) init(self Metric, kind, name, average string, o Options, score func(binaryCounts) float64) error {
	switch average {
	case "macro":
	case "micro":
		m.micro = true
	default:
		return fmt.Errorf("metric %s: average must be \"macro\" or \"micro\", got %q", name, average)
	}
	m.score = score
	var args []Arg
	if m.micro {
		args = []Arg{{"average", "micro"}} // MXNet drops it; kept so configs round-trip
	}
	m.Init(self, kind, name, o, true, args...)
	if m.micro {
		m.st.Declare(&m.Base, func(c binaryCounts) float64 {
			n := c.total()
			if n == 0 {
				return math.NaN()
			}
			return score(c) * n / n // MXNet's (F·n)/n, bit for bit
		})
	}
	return nil
}

// Update counts every pair. In macro mode the call's pooled score is added
// once (MXNet's mean over update calls); in micro mode the counts pool.
func (m *binaryMetric) Update(labels, preds []*nd.Array) error {
	if err := checkLists(m.name, labels, preds); err != nil {
		return err
	}
	var call binaryCounts
	for i := range preds {
		c, err := binaryPair(m.name, labels[i], preds[i])
		if err != nil {
			return err
		}
		call.add(c)
	}
	if !m.micro {
		m.Add(m.score(call), 1)
		return nil
	}
	m.st.Update(func(s *binaryCounts) { s.add(call) })
	return nil
}

// F1 is MXNet's F1 ("f1") for binary classification: positives are label 1
// and arg-max 1. average "macro" (MXNet's default) is the mean of the F1 of
// each update call; "micro" pools the counts over all samples.
type F1 struct{ binaryMetric }

// NewF1 returns an F1 metric; average is "macro" or "micro".
func NewF1(average string, o Options) (*F1, error) {
	m := &F1{}
	if err := m.init(m, "F1", "f1", average, o, binaryCounts.fscore); err != nil {
		return nil, err
	}
	return m, nil
}

// MCC is MXNet's MCC ("mcc"), Matthews correlation for binary
// classification, with F1's averaging modes.
type MCC struct{ binaryMetric }

// NewMCC returns an MCC metric; average is "macro" or "micro".
func NewMCC(average string, o Options) (*MCC, error) {
	m := &MCC{}
	if err := m.init(m, "MCC", "mcc", average, o, binaryCounts.mcc); err != nil {
		return nil, err
	}
	return m, nil
}

func init() {
	MustRegister("f1", func(a Args) (Metric, error) {
		r := newArgReader("f1", a)
		avg := r.String("average", "macro")
		o := readOptions(r)
		if err := r.Done(); err != nil {
			return nil, err
		}
		return NewF1(avg, o)
	})
	MustRegister("mcc", func(a Args) (Metric, error) {
		r := newArgReader("mcc", a)
		avg := r.String("average", "macro")
		o := readOptions(r)
		if err := r.Done(); err != nil {
			return nil, err
		}
		return NewMCC(avg, o)
	})
}
