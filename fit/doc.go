// Package fit is MXNet 1.9.1's Module.fit and Module.score as a
// framework-agnostic training loop, with MXNet's and insightface's
// callbacks, printing the same log lines byte for byte.
//
// A network plugs in by implementing Module (forward, backward, update,
// outputs, parameters) and its data by implementing DataIter:
//
//	type MyNet struct{ ... }
//	func (m *MyNet) Forward(b *fit.DataBatch, isTrain bool) error { ... }
//	func (m *MyNet) Backward() error                              { ... }
//	func (m *MyNet) Update() error { // apply m.opt to every parameter
//		for name, w := range m.weights {
//			if err := m.opt.Update(name, w, m.grads[name]); err != nil {
//				return err
//			}
//		}
//		return nil
//	}
//	func (m *MyNet) Outputs() []*nd.Array                    { return m.outs } // [embedding, softmax, loss]
//	func (m *MyNet) OutputNames() []string                   { return []string{"fc1_output", "softmax_output", "ce_loss_output"} }
//	func (m *MyNet) LabelNames() []string                    { return []string{"softmax_label"} }
//	func (m *MyNet) Params() (arg, aux map[string]*nd.Array) { return m.weights, m.bnStats }
//	func (m *MyNet) InitOptimizer(o fit.Optimizer) error     { m.opt = o; return nil }
//
// and is trained as insightface trains:
//
//	acc, loss := insightface.NewAccMetric(), insightface.NewLossValueMetric()
//	err := fit.Fit(ctx, net, trainIter, fit.Config{
//		NumEpoch:    20,
//		EvalMetric:  metric.NewComposite(metric.Options{}, acc, loss),
//		Optimizer:   sgd, // fit.NewSGD; nil is MXNet's "sgd" default
//		Initializer: fit.NewXavier("gaussian", "out", 2, seed),
//		ArgParams:   pretrainedArg, AuxParams: pretrainedAux, AllowMissing: true,
//		KVStore:     "device", Devices: 4, // needs net to implement Replicator
//		BatchEnd:    []fit.BatchEndCallback{fit.NewInsightfaceCallback(512, 20, "model", targets)},
//		Events:      []events.Sink{jsonl, curves}, // typed events, see package events
//	})
//
// which logs, on stderr as Python's logging does,
//
//	INFO:root:Epoch[0] Batch [0-20]	Speed: 931.54 samples/sec	acc=0.000000	lossvalue=22.415831
//	INFO:root:Epoch[0] Train-acc=0.000000
//	INFO:root:Epoch[0] Time cost=1534.125
//
// The loop follows MXNet's order exactly (see Fit), with its quirks kept by
// default — the epoch "Train-" values of metrics without global statistics
// cover only the last Speedometer window, Speedometer's first window holds
// frequent+1 batches, Score returns local values, padding rows are counted,
// the metric is updated once per device — and its crashes fixed: an empty
// iterator, a NaN loss, a bad batch shape, a missing or corrupt checkpoint
// are errors naming the epoch, batch or file. docs/compatibility.md
// lists every decision.
//
// Logging goes through log/slog: NewLogger(w, LogPlain) writes MXNet's
// "INFO:root:<message>" lines, LogBare the message alone, LogJSON one JSON
// object per line with the values as fields. DefaultLogger is LogPlain on
// stderr, with lines insightface prints (PrintAttr) bare on stdout.
//
// Cancelling the context stops Fit after the current batch with an
// *InterruptedError whose TrainState (saved to disk with
// Config.ResumeCheckpoint) continues the run with Config.Resume: epoch count,
// metric statistics, Speedometer windows and stateful callbacks pick up where
// they stopped, so the resumed log equals an uninterrupted one.
//
// Checkpoints are .npz archives of "arg:NAME" and "aux:NAME" arrays (see
// Checkpoint), written atomically.
package fit
