package metric_test

import (
	"fmt"
	"math"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

// maxErr is the sufficient statistic of a largest-absolute-error metric.
type maxErr struct {
	Max float64 `json:"max"`
	N   float64 `json:"n"`
}

// Merge keeps the larger maximum and adds the counts.
func (s maxErr) Merge(o maxErr) maxErr { return maxErr{math.Max(s.Max, o.Max), s.N + o.N} }

func (s maxErr) value() float64 {
	if s.N == 0 {
		return math.NaN()
	}
	return s.Max
}

// MaxError reports the largest |label − pred| seen.
type MaxError struct {
	metric.Base
	st metric.Statistics[maxErr]
}

func NewMaxError() *MaxError {
	m := &MaxError{}
	m.Init(m, "MaxError", "max-error", metric.Options{}, true)
	m.st.Declare(&m.Base, maxErr.value)
	return m
}

// Update is all the metric writes besides its value: reset, merge and JSON
// come from the declared statistics.
func (m *MaxError) Update(labels, preds []*nd.Array) error {
	var batch maxErr
	for i := range preds {
		for j := 0; j < preds[i].Size(); j++ {
			batch.Max = math.Max(batch.Max, math.Abs(labels[i].Float(j)-preds[i].Float(j)))
			batch.N++
		}
	}
	m.st.Update(func(s *maxErr) { *s = s.Merge(batch) })
	return nil
}

// A metric declares its sufficient statistics once; two shards merged
// through their exported state equal one pass.
func ExampleStatistics() {
	a, b := NewMaxError(), NewMaxError()
	l, _ := nd.FromFloat32([]float32{1, 2, 3})
	p1, _ := nd.FromFloat32([]float32{1.5, 2, 3})
	p2, _ := nd.FromFloat32([]float32{1, 4, 3})
	_ = a.Update([]*nd.Array{l}, []*nd.Array{p1})
	_ = b.Update([]*nd.Array{l}, []*nd.Array{p2})
	st, _ := b.State()
	fmt.Println(string(st.Local))
	_ = a.MergeState(st)
	fmt.Println(a)
	a.ResetLocal()
	_, local := a.Get()
	_, global := a.GetGlobal()
	fmt.Println(local, global)
	// Output:
	// {"max":2,"n":3}
	// EvalMetric: {'max-error': 2.0}
	// [NaN] [2]
}
