package metric_test

import (
	"fmt"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/metric/insightface"
	"github.com/evalkit/evalkit/nd"
)

// MXNet's docstring data: accuracy and top-2 accuracy in one composite.
func ExampleCreate() {
	m, err := metric.Create([]any{"acc", `["top_k_acc", {"top_k": 2}]`}, nil)
	if err != nil {
		panic(err)
	}
	labels, _ := nd.FromInt64([]int64{0, 1, 1})
	preds, _ := nd.FromFloat32([]float32{0.3, 0.7, 0, 1, 0.4, 0.6}, 3, 2) // zero-copy
	if err := m.Update([]*nd.Array{labels}, []*nd.Array{preds}); err != nil {
		panic(err)
	}
	fmt.Println(metric.LocalValues(m))
	fmt.Println(m)
	// Output:
	// [{accuracy 0.6666666666666666} {top_k_accuracy_2 1}]
	// EvalMetric: {'accuracy': 0.6666666666666666, 'top_k_accuracy_2': 1.0}
}

// Local values cover the batches since the last ResetLocal (a Speedometer
// window); global values the whole epoch. insightface's metrics keep no
// global statistics, so their global value is the local one.
func ExampleMetric_local_and_global() {
	acc := metric.MustCreate("acc", nil)
	ins := insightface.NewAccMetric()
	labels, _ := nd.FromInt64([]int64{1, 1})
	right, _ := nd.FromFloat32([]float32{0, 1, 0, 1}, 2, 2)
	wrong, _ := nd.FromFloat32([]float32{1, 0, 1, 0}, 2, 2)
	for _, p := range []*nd.Array{right, wrong} {
		_ = acc.Update([]*nd.Array{labels}, []*nd.Array{p})
		_ = ins.Update([]*nd.Array{labels}, []*nd.Array{nil, p})
		if p == right {
			acc.ResetLocal()
			ins.ResetLocal()
		}
	}
	fmt.Println(metric.LocalValues(acc), metric.GlobalValues(acc))
	fmt.Println(metric.LocalValues(ins), metric.GlobalValues(ins))
	// Output:
	// [{accuracy 0}] [{accuracy 0.5}]
	// [{acc 0}] [{acc 0}]
}

// Shards evaluated apart and merged equal one sequential pass.
func ExampleMerge() {
	labels, _ := nd.FromInt64([]int64{0, 1, 1, 0})
	preds, _ := nd.FromFloat32([]float32{0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7}, 4, 2)
	shard := func(lo, hi int) metric.Metric {
		m := metric.MustCreate("f1", metric.Args{"average": "micro"})
		l, _ := labels.Slice(lo, hi)
		p, _ := preds.Slice(lo, hi)
		_ = m.Update([]*nd.Array{l}, []*nd.Array{p})
		return m
	}
	total, other := shard(0, 2), shard(2, 4)
	if err := metric.Merge(total, other); err != nil {
		panic(err)
	}
	fmt.Println(metric.GlobalValues(total))
	// Output:
	// [{f1 0.5}]
}
