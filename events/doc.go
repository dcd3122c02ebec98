// Package events is the stream of typed events a training run emits and the
// Sink interface every output implements.
//
// fit's training loop and callbacks emit one value per thing that happened —
// a batch trained (BatchEnd), a Speedometer window (Speed), an epoch's
// training part done (EpochEnd), validation scored (Validation), a
// verification (Verification), a checkpoint written (Checkpoint), a learning
// rate change (LearningRate) — to a Sink. Outputs are sinks: fit.LogSink
// writes MXNet's text log, JSONL writes metrics.jsonl, report.Curves draws
// the training curves, events/tensorboard writes TensorBoard event files and
// events/prom serves Prometheus metrics. No output parses another's text.
//
//	jl := events.NewJSONL(f)
//	err := fit.Fit(ctx, mod, train, fit.Config{NumEpoch: 10, Events: []events.Sink{jl, curves}})
package events
