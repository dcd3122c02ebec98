package model

import (
	"fmt"

	"github.com/evalkit/evalkit/internal/atomicfile"
	"github.com/evalkit/evalkit/internal/onnxpb"
)

// ONNX export constants: the operator set and IR version of the files
// ExportONNX writes (opset 13, IR 7 — ONNX 1.8; any ONNX Runtime from 1.6 on
// reads them).
const (
	ONNXOpset     = 13
	onnxIRVersion = 7
	// ONNXInput and ONNXOutput name the exported graph's input (raw 0..255
	// pixels) and output (the fc1 embedding).
	ONNXInput  = "data"
	ONNXOutput = "fc1"
)

// ONNXOptions configure ExportONNX.
type ONNXOptions struct {
	// InputShape is the per-sample input shape, e.g. [1 28 28]; its product
	// must be InputDim. Nil means [1 s s] when InputDim is a square s², else
	// [InputDim]. A shape of rank > 1 is flattened by the graph's first node.
	InputShape []int
	// ProducerVersion is recorded in the file (e.g. evalkit's version).
	ProducerVersion string
	// RGB makes a one-channel network take three-channel input (batch ×
	// 3 × H × W, the layout face-model pipelines feed) whose channel mean
	// the graph takes first (ReduceMean): for a grey image given as R = G = B
	// that is exactly the grey value.
	RGB bool
}

// MarshalONNX returns the network's embedding path as an ONNX model: input
// "data" (batch × InputShape, raw values), the input normalisation
// (x − InputMean)·InputScale as Sub and Mul nodes (named so insightface's
// ArcFaceONNX sees the model normalises itself and feeds raw pixels), each
// hidden layer as Gemm + Relu and the embedding layer fc1 as Gemm, output
// "fc1" (batch × EmbeddingDim, not normalised: what Embedding returns).
// With o.RGB the input has three channels, averaged by a first ReduceMean.
// The margin head is not part of it.
func (n *Network) MarshalONNX(o ONNXOptions) ([]byte, error) {
	cfg := n.cfg
	shape := o.InputShape
	if shape == nil {
		shape = []int{cfg.InputDim}
		for s := 1; s*s <= cfg.InputDim; s++ {
			if s*s == cfg.InputDim {
				shape = []int{1, s, s}
			}
		}
	}
	size := 1
	for _, d := range shape {
		if d <= 0 {
			return nil, fmt.Errorf("model: ONNX input shape %v has a non-positive dimension", shape)
		}
		size *= d
	}
	if size != cfg.InputDim {
		return nil, fmt.Errorf("model: ONNX input shape %v holds %d values, the network's input_dim is %d", shape, size, cfg.InputDim)
	}
	g := onnxpb.Graph{Name: "evalkit"}
	if o.RGB && (len(shape) < 2 || shape[0] != 1) {
		return nil, fmt.Errorf("model: RGB ONNX input needs a one-channel input shape (1, H, W), got %v", shape)
	}
	in := onnxpb.ValueInfo{Name: ONNXInput, Dims: []int64{-1}, DimParams: []string{"batch"}}
	for _, d := range shape {
		in.Dims = append(in.Dims, int64(d))
	}
	x := ONNXInput
	if o.RGB {
		in.Dims[1] = 3
		g.Nodes = append(g.Nodes, onnxpb.Node{Inputs: []string{x}, Outputs: []string{"data_grey"}, Name: "ReduceMean_rgb", OpType: "ReduceMean",
			Attributes: []onnxpb.Attribute{{Name: "axes", Ints: []int64{1}}, {Name: "keepdims", Int: 1}}})
		x = "data_grey"
	}
	g.Inputs = []onnxpb.ValueInfo{in}
	g.Initializers = append(g.Initializers,
		onnxpb.Tensor{Name: "input_mean", Data: []float32{float32(cfg.InputMean)}},
		onnxpb.Tensor{Name: "input_scale", Data: []float32{float32(cfg.InputScale)}})
	g.Nodes = append(g.Nodes,
		onnxpb.Node{Inputs: []string{x, "input_mean"}, Outputs: []string{"data_sub"}, Name: "Sub_0", OpType: "Sub"},
		onnxpb.Node{Inputs: []string{"data_sub", "input_scale"}, Outputs: []string{"data_norm"}, Name: "Mul_1", OpType: "Mul"})
	x = "data_norm"
	if len(shape) > 1 {
		g.Nodes = append(g.Nodes, onnxpb.Node{Inputs: []string{x}, Outputs: []string{"flat"}, Name: "Flatten_2", OpType: "Flatten",
			Attributes: []onnxpb.Attribute{{Name: "axis", Int: 1}}})
		x = "flat"
	}
	gemm := func(d *dense, out string) {
		w, b := d.name+"_weight", d.name+"_bias"
		g.Initializers = append(g.Initializers,
			onnxpb.Tensor{Name: w, Dims: []int64{int64(d.out), int64(d.in)}, Data: d.w},
			onnxpb.Tensor{Name: b, Dims: []int64{int64(d.out)}, Data: d.b})
		g.Nodes = append(g.Nodes, onnxpb.Node{Inputs: []string{x, w, b}, Outputs: []string{out}, Name: d.name, OpType: "Gemm",
			Attributes: []onnxpb.Attribute{{Name: "transB", Int: 1}}})
		x = out
	}
	for _, d := range n.hidden {
		gemm(d, d.name)
		g.Nodes = append(g.Nodes, onnxpb.Node{Inputs: []string{x}, Outputs: []string{d.name + "_relu"}, Name: d.name + "_relu", OpType: "Relu"})
		x = d.name + "_relu"
	}
	gemm(n.emb, ONNXOutput)
	g.Outputs = []onnxpb.ValueInfo{{Name: ONNXOutput, Dims: []int64{-1, int64(cfg.EmbeddingDim)}, DimParams: []string{"batch"}}}
	m := onnxpb.Model{IRVersion: onnxIRVersion, ProducerName: "evalkit", ProducerVersion: o.ProducerVersion, Graph: g, Opset: ONNXOpset}
	return m.Marshal(), nil
}

// ExportONNX writes the network's embedding path to path as an ONNX model
// (see MarshalONNX), atomically: a failure leaves no partial file.
func ExportONNX(path string, n *Network, o ONNXOptions) error {
	b, err := n.MarshalONNX(o)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(path, b); err != nil {
		return fmt.Errorf("model: writing ONNX model: %w", err)
	}
	return nil
}
