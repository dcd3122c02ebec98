// Package onnxmodel runs a face-embedding network exported to ONNX (insightface's
// model zoo, arcface_torch exports, MXNet conversions, evalkit's own) through
// ONNX Runtime, loaded at run time (internal/ort: no cgo), with insightface's
// preprocessing:
//
//   - the input size and layout (NCHW or NHWC) come from the graph; images of
//     another size are resized bilinearly;
//   - RGB, (x − 127.5)/127.5 as ArcFaceONNX computes it, or raw pixel values
//     when the graph's first nodes already subtract and multiply (models
//     converted from MXNet);
//   - optionally the horizontal mirror of every image, embedded in the same
//     run, which insightface's verification adds to the image's embedding.
//
// Images come from a Source (decoded images, encoded bytes such as a .bin
// file's, or files) and are decoded and preprocessed by worker goroutines
// while the model runs the previous batch; memory is bounded by a few
// batches, not by the number of images.
//
//	m, err := onnxmodel.Open("w600k_r50.onnx", onnxmodel.Config{Threads: 2})
//	if err != nil { … }
//	defer m.Close()
//	e, err := m.Embed(ctx, onnxmodel.EncodedSource{Data: bin.Images}, onnxmodel.EmbedOptions{Flip: true})
//	// e.Emb and e.Flip are e.N × e.Dim float32 rows.
package onnxmodel
