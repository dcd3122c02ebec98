package metric

import (
	"fmt"
	"math"

	"github.com/evalkit/evalkit/nd"
)

// regKind selects MAE, MSE or RMSE.
type regKind int

const (
	regMAE regKind = iota
	regMSE
	regRMSE
)

// Regression is MXNet's MAE ("mae"), MSE ("mse") and RMSE ("rmse").
//
// The default average "batch" is MXNet 1.9.1's: each (label, pred) pair adds
// its mean error (RMSE: the square root of its mean squared error) and a
// count of one, so the value is the unweighted mean of per-batch values.
// average "sample" is the per-sample form (MXNet 2.x): every sample counts
// once and RMSE is the square root of the pooled MSE. In both modes a 1-D
// array is read as (n, 1) and the two sides broadcast as numpy does (MXNet
// checks no shapes); shapes that cannot broadcast are an error.
type Regression struct {
	Base
	kind      regKind
	perSample bool
}

// NewMAE returns a mean-absolute-error metric; average is "batch" or "sample".
func NewMAE(average string, o Options) (*Regression, error) {
	return newRegression(regMAE, "MAE", "mae", average, o)
}

// NewMSE returns a mean-squared-error metric; average is "batch" or "sample".
func NewMSE(average string, o Options) (*Regression, error) {
	return newRegression(regMSE, "MSE", "mse", average, o)
}

// NewRMSE returns a root-mean-squared-error metric; average is "batch" or
// "sample".
func NewRMSE(average string, o Options) (*Regression, error) {
	return newRegression(regRMSE, "RMSE", "rmse", average, o)
}

func newRegression(k regKind, kind, name, average string, o Options) (*Regression, error) {
	m := &Regression{kind: k}
	var args []Arg
	switch average {
	case "batch", "":
	case "sample":
		m.perSample = true
		args = []Arg{{"average", "sample"}}
	default:
		return nil, fmt.Errorf("metric %s: average must be \"batch\" (MXNet 1.x) or \"sample\", got %q", name, average)
	}
	m.Init(m, kind, name, o, true, args...)
	if m.perSample && k == regRMSE {
		m.setValue(func(s Stats) float64 { return math.Sqrt(s.Mean()) })
	}
	return m, nil
}

// Update adds each pair's error.
func (m *Regression) Update(labels, preds []*nd.Array) error {
	if err := checkLists(m.name, labels, preds); err != nil {
		return err
	}
	var sum, num float64
	for i := range preds {
		label, pred := as2D(labels[i]), as2D(preds[i])
		shape, err := broadcastShape(label.Shape(), pred.Shape())
		if err != nil {
			return fmt.Errorf("metric %s: labels %s and predictions %s: %w", m.name,
				nd.ShapeString(labels[i].Shape()), nd.ShapeString(preds[i].Shape()), err)
		}
		total := 1
		for _, d := range shape {
			total *= d
		}
		rows := 1
		if len(shape) > 0 {
			rows = shape[0]
		}
		if total == 0 {
			if !m.perSample {
				sum = math.NaN() // numpy's mean of an empty array, which stays in the sum
				num++
			}
			continue
		}
		var acc float64
		perRow := total / rows
		var rowAcc float64
		forEachBroadcast(shape, label, pred, func(idx int, l, p float64) {
			d := l - p
			if m.kind == regMAE {
				d = math.Abs(d)
			} else {
				d *= d
			}
			acc += d
			if m.perSample {
				rowAcc += d
				if (idx+1)%perRow == 0 {
					sum += rowAcc / float64(perRow)
					rowAcc = 0
				}
			}
		})
		if m.perSample {
			num += float64(rows)
			continue
		}
		v := acc / float64(total)
		if m.kind == regRMSE {
			v = math.Sqrt(v)
		}
		sum += v
		num++
	}
	m.Add(sum, num)
	return nil
}

// as2D reads a 1-D array as (n, 1), as MXNet's regression metrics do.
func as2D(a *nd.Array) *nd.Array {
	if a.NDim() == 1 {
		if v, err := a.Reshape(a.Size(), 1); err == nil {
			return v
		}
	}
	return a
}

// broadcastShape applies numpy's broadcasting rule.
func broadcastShape(a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db:
			out[i] = da
		case da == 1:
			out[i] = db
		case db == 1:
			out[i] = da
		default:
			return nil, fmt.Errorf("operands could not be broadcast together with shapes %s %s", nd.ShapeString(a), nd.ShapeString(b))
		}
	}
	return out, nil
}

// forEachBroadcast calls f for every element of the broadcast shape, in
// row-major order, with the matching elements of a and b.
func forEachBroadcast(shape []int, a, b *nd.Array, f func(idx int, x, y float64)) {
	if nd.SameShape(a, b) {
		for i := 0; i < a.Size(); i++ {
			f(i, a.Float(i), b.Float(i))
		}
		return
	}
	sa, sb := strides(shape, a.Shape()), strides(shape, b.Shape())
	idx := make([]int, len(shape))
	total := 1
	for _, d := range shape {
		total *= d
	}
	for i := 0; i < total; i++ {
		oa, ob := 0, 0
		for d := range shape {
			oa += idx[d] * sa[d]
			ob += idx[d] * sb[d]
		}
		f(i, a.Float(oa), b.Float(ob))
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}

// strides returns the element strides of an array of shape s broadcast to
// out (0 on broadcast dimensions).
func strides(out, s []int) []int {
	st := make([]int, len(out))
	step := 1
	for i := len(out) - 1; i >= 0; i-- {
		j := len(s) - len(out) + i
		if j < 0 {
			continue
		}
		if s[j] != 1 {
			st[i] = step
		}
		step *= s[j]
	}
	return st
}

func init() {
	for _, r := range []struct {
		name string
		mk   func(string, Options) (*Regression, error)
	}{{"mae", NewMAE}, {"mse", NewMSE}, {"rmse", NewRMSE}} {
		MustRegister(r.name, func(a Args) (Metric, error) {
			rd := newArgReader(r.name, a)
			avg := rd.String("average", "batch")
			o := readOptions(rd)
			if err := rd.Done(); err != nil {
				return nil, err
			}
			return r.mk(avg, o)
		})
	}
}
