// Package model is evalkit's reference network: a pure-Go, multi-core
// embedding network trained with insightface's margin heads, so that the
// metric and callback code paths of insightface's training run unchanged.
//
// The network is an MLP over flattened images: hidden dense + ReLU layers, a
// dense embedding layer ("fc1", as insightface names it) and a
// classification head ("fc7") that is either a plain softmax layer or a
// normalised-weight cosine layer with a CosFace or ArcFace margin. Its outputs
// are arranged as insightface's: Outputs()[0] the embedding, Outputs()[1] the
// softmax of the margin-modified logits (read by AccMetric) and the last output
// the (1,) cross-entropy loss (read by LossValueMetric).
//
//	net, _ := model.New(model.Config{
//		InputDim: 784, Hidden: []int{256}, EmbeddingDim: 128, NumClasses: 10,
//		Head: model.HeadConfig{Kind: model.ArcFace, Scale: 16, Margin: 0.3},
//		BatchSize: 128,
//	})
//	mod := model.NewModule(net) // a fit.Module
//	it, _ := model.NewImageIter(pixels, labels, 28, 28, model.ImageIterOptions{BatchSize: 128, Shuffle: true})
//	sgd := fit.NewSGD(0.1)
//	sgd.Momentum, sgd.WD = 0.9, 5e-4
//	err := fit.Fit(ctx, mod, it, fit.Config{NumEpoch: 10, Optimizer: sgd,
//		Initializer: fit.NewXavier("gaussian", "out", 2, 1), // insightface's
//		EvalMetric: metric.NewComposite(metric.Options{},
//			insightface.NewAccMetric(), insightface.NewLossValueMetric())})
//
// The optimizer (fit.SGD) and initialisers (fit.Xavier, fit.Uniform) are
// fit's; the model supplies the network, its gradients and the data
// iterator.
//
// Storage is float32; reductions that decide a value (norms, softmax, the
// loss) accumulate in float64. Forward and backward split every batch across
// a fixed set of worker goroutines (rows for activations, output units for
// weight gradients); each value is computed by exactly one worker in a fixed
// order, so results do not depend on scheduling and a resumed run reproduces
// an uninterrupted one bit for bit. Steady-state training allocates nothing.
//
// Checkpoints are fit's resumable .npz files (fit.Config.ResumeCheckpoint,
// fit.LoadCheckpoint): parameters, optimizer state, metric and callback
// state and the epoch/batch position, written atomically. Register a
// ConfigState in fit.Config.States and the network's Config travels in the same
// file; ConfigFromCheckpoint reads it back and Network.CheckParams checks the
// parameters against it before resuming. ImageIter.SetEpoch puts the data
// back where the run stopped, so a resumed run matches an uninterrupted one
// bit for bit.
package model
