// Package metric is MXNet's mx.metric re-made in Go: the EvalMetric contract
// with local and global statistics, a registry with Create, composites,
// custom metrics and every 1.9.1 built-in, with numbers that match MXNet's
// logs. Every metric's state is its sufficient statistics: it can be
// exported, restored and merged, so shards evaluated apart and merged equal
// one sequential pass.
//
//	m, err := metric.Create("acc", nil) // or "top_k_acc" with metric.Args{"top_k": 5}
//	if err != nil { ... }
//	labels, _ := nd.FromFloat32([]float32{0, 1, 1})
//	preds, _ := nd.FromFloat32([]float32{0.3, 0.7, 0, 1, 0.4, 0.6}, 3, 2)
//	if err := m.Update([]*nd.Array{labels}, []*nd.Array{preds}); err != nil { ... }
//	fmt.Println(m) // EvalMetric: {'accuracy': 0.6666666666666666}
//
// Registered names (case-insensitive): accuracy/acc, topkaccuracy/
// top_k_accuracy/top_k_acc, f1, mcc, perplexity, mae, mse, rmse,
// crossentropy/ce, negativeloglikelihood/nll_loss, pearsoncorrelation/
// pearsonr, pcc, loss, torch, caffe, custommetric, compositeevalmetric/
// composite; importing metric/insightface adds accmetric and
// lossvaluemetric. They live in Default, a Registry; a program or test can
// keep its own (NewRegistry, or Default.Clone() to extend the built-ins),
// and registering a name twice is an error. Deviations from MXNet are
// listed in docs/compatibility.md.
//
// A new metric embeds Base and writes only its update and its value: the
// default statistics are a (sum, count) pair fed by Base.Add; other
// sufficient statistics are declared once as a Statistics[S], which then
// provides reset, reset-local, merge, JSON export and the snapshots that
// make a Composite's update all or nothing.
//
// Concurrency: every metric may be updated from several goroutines. The
// per-sample work runs outside the lock; each Update takes the metric's
// mutex once to add its totals: 14 ns uncontended (BenchmarkBaseAdd); a
// one-sample Update costs 53 ns alone and 66 ns per call with both cores
// updating the same metric (docs/benchmarks.md).
package metric
