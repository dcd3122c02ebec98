// Package insightface holds the two custom metrics of insightface's MXNet
// training scripts (train_softmax.py, arcface_mxnet/train.py), registered
// under their class names so metric.Create("accmetric") builds them:
//
//	acc := insightface.NewAccMetric()          // "acc": preds[1] vs labels[0]
//	loss := insightface.NewLossValueMetric()   // "lossvalue": mean of preds[-1][0]
//	m := metric.NewComposite(metric.Options{}, acc, loss)
//
// Like the originals they keep no global statistics: GetGlobal reports the
// local values, so an epoch's "Train-acc" covers only the batches since the
// last Speedometer reset. Pass metric.Args{"has_global_stats": true} to
// Create for the epoch-wide value instead.
package insightface

import (
	"fmt"
	"slices"
	"sync"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

// AccMetric is insightface's AccMetric: accuracy of the arg-max of preds[1]
// (the margin softmax) against labels[0] (column 0 if 2-D), both truncated
// to integers.
type AccMetric struct {
	metric.Base
}

// NewAccMetric returns an AccMetric named "acc", without global statistics.
func NewAccMetric() *AccMetric { return newAcc(false, metric.Options{}) }

func newAcc(global bool, o metric.Options) *AccMetric {
	m := &AccMetric{}
	args := []metric.Arg{{Key: "axis", Value: 1}}
	if global {
		args = append(args, metric.Arg{Key: "has_global_stats", Value: true})
	}
	m.Init(m, "AccMetric", "acc", o, global, args...)
	return m
}

// Update adds the correct and total counts of preds[1] against labels[0].
func (m *AccMetric) Update(labels, preds []*nd.Array) error {
	if len(preds) < 2 {
		return fmt.Errorf("metric acc: insightface's AccMetric reads preds[1] (the softmax output), got %d prediction arrays", len(preds))
	}
	if len(labels) < 1 || labels[0] == nil || preds[1] == nil {
		return fmt.Errorf("metric acc: needs labels[0] and preds[1]")
	}
	label, pred := labels[0], preds[1]
	var cls []int64
	if nd.SameShape(label, pred) {
		for i := 0; i < pred.Size(); i++ {
			v, ok := pred.Int(i)
			if !ok {
				v = -1 << 40 // matches nothing
			}
			cls = append(cls, v)
		}
	} else {
		if pred.NDim() < 2 {
			return fmt.Errorf("metric acc: preds[1] must be (batch, classes) scores, got shape %s", nd.ShapeString(pred.Shape()))
		}
		idx, buf, err := argmaxRows(pred)
		defer scratch.Put(buf)
		if err != nil {
			return fmt.Errorf("metric acc: %w", err)
		}
		cls = idx
	}
	ls := label.Shape()
	col, stride := label.Size(), 1
	if len(ls) == 2 {
		col, stride = ls[0], ls[1] // first column only
	}
	if col != len(cls) {
		return fmt.Errorf("metric acc: %d predicted classes (preds[1] shape %s) but %d labels (labels[0] shape %s)",
			len(cls), nd.ShapeString(pred.Shape()), col, nd.ShapeString(ls))
	}
	var correct int64
	for i, p := range cls {
		if l, ok := label.Int(i * stride); ok && l == p {
			correct++
		}
	}
	m.Add(float64(correct), float64(len(cls)))
	return nil
}

// scratch holds arg-max buffers, so Update allocates nothing in steady state.
var scratch = sync.Pool{New: func() any { return new([]int64) }}

// argmaxRows is the arg-max over axis 1 into a pooled buffer, through the
// multi-core float32 path when it applies. The caller returns buf.
func argmaxRows(pred *nd.Array) (idx []int64, buf *[]int64, err error) {
	buf = scratch.Get().(*[]int64)
	if f := pred.Float32s(); f != nil && pred.NDim() == 2 && pred.Dim(1) > 0 {
		n := pred.Dim(0)
		idx = slices.Grow((*buf)[:0], n)[:n]
		nd.ArgMaxRowsFloat32(f, pred.Dim(1), idx)
	} else {
		idx, _, err = nd.ArgMax(pred, 1, (*buf)[:0])
	}
	*buf = idx
	return idx, buf, err
}

// LossValueMetric is insightface's LossValueMetric: the mean over update
// calls of the first element of the last prediction (the scalar loss).
type LossValueMetric struct {
	metric.Base
}

// NewLossValueMetric returns a LossValueMetric named "lossvalue", without
// global statistics.
func NewLossValueMetric() *LossValueMetric { return newLoss(false, metric.Options{}) }

func newLoss(global bool, o metric.Options) *LossValueMetric {
	m := &LossValueMetric{}
	args := []metric.Arg{{Key: "axis", Value: 1}}
	if global {
		args = append(args, metric.Arg{Key: "has_global_stats", Value: true})
	}
	m.Init(m, "LossValueMetric", "lossvalue", o, global, args...)
	return m
}

// Update adds preds[-1][0] and a count of one.
func (m *LossValueMetric) Update(_, preds []*nd.Array) error {
	if len(preds) == 0 || preds[len(preds)-1] == nil || preds[len(preds)-1].Size() == 0 {
		return fmt.Errorf("metric lossvalue: needs a non-empty last prediction (the loss output), got %d prediction arrays", len(preds))
	}
	m.Add(preds[len(preds)-1].Float(0), 1)
	return nil
}

func factory(mk func(bool, metric.Options) metric.Metric) metric.Factory {
	return func(a metric.Args) (metric.Metric, error) {
		var o metric.Options
		global := false
		for k, v := range a {
			switch k {
			case "axis":
				// kept for config compatibility (insightface passes axis=1; unused)
			case "has_global_stats":
				b, ok := v.(bool)
				if !ok {
					return nil, fmt.Errorf("metric: has_global_stats must be true or false, got %T %v", v, v)
				}
				global = b
			case "name":
				s, ok := v.(string)
				if !ok {
					return nil, fmt.Errorf("metric: name must be a string, got %T", v)
				}
				o.Name = s
			case "output_names", "label_names":
				if v == nil {
					continue
				}
				l, err := stringList(v)
				if err != nil {
					return nil, fmt.Errorf("metric: %s: %w", k, err)
				}
				if k == "output_names" {
					o.OutputNames = l
				} else {
					o.LabelNames = l
				}
			default:
				return nil, fmt.Errorf("metric: unexpected argument %s (it takes axis, has_global_stats, name, output_names, label_names)", k)
			}
		}
		return mk(global, o), nil
	}
}

func stringList(v any) ([]string, error) {
	switch x := v.(type) {
	case []string:
		return x, nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want a list of strings, got %T in it", e)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a list of strings, got %T", v)
}

func init() {
	metric.MustRegister("accmetric", factory(func(g bool, o metric.Options) metric.Metric { return newAcc(g, o) }))
	metric.MustRegister("lossvaluemetric", factory(func(g bool, o metric.Options) metric.Metric { return newLoss(g, o) }))
}
