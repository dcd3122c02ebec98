package onnxmodel

import (
	"errors"
	"fmt"
	"os"

	"github.com/evalkit/evalkit/internal/ort"
)

// Config configures Open.
type Config struct {
	// ORTLib is the ONNX Runtime library to load; empty: $ONNXRUNTIME_LIB,
	// else libonnxruntime.so.1 from the loader's path.
	ORTLib string
	// Threads is ONNX Runtime's intra-op thread count; 0 lets it choose.
	Threads int
	// BatchSize is the number of images per run (their mirrors ride in the
	// same run); 0 means 32. A graph with a fixed batch dimension uses that.
	BatchSize int
}

// DefaultBatchSize is the batch size when Config.BatchSize is 0.
const DefaultBatchSize = 32

// Model is a face-embedding network in ONNX Runtime, with insightface's
// preprocessing read off the graph (ArcFaceONNX's rules).
type Model struct {
	rt         *ort.Runtime
	sess       *ort.Session
	path       string
	lay        layout
	w, h       int
	dim        int // 0 until known, when the graph leaves it dynamic
	fixedBatch int // the graph's batch dimension, 0 when dynamic
	batch      int
	mean, std  float32
	nodes      []Node
}

// Open loads an ONNX face-embedding model: one float32 input of rank 4,
// NCHW (N×3×H×W) or NHWC (N×H×W×3), and an N×D float32 output. Its
// preprocessing follows insightface's ArcFaceONNX: mean and std 127.5, or 0
// and 1 when the graph's first nodes subtract and multiply already.
func Open(path string, cfg Config) (*Model, error) {
	rt, err := ort.Load(cfg.ORTLib)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	nodes, err := graphNodes(data, maxNodes)
	if err != nil {
		return nil, fmt.Errorf("model: %s is not an ONNX model (%w)", path, err)
	}
	if cfg.BatchSize < 0 || cfg.Threads < 0 {
		return nil, fmt.Errorf("model: batch size %d and threads %d must not be negative", cfg.BatchSize, cfg.Threads)
	}
	sess, err := rt.NewSession(data, ort.Options{IntraOpThreads: cfg.Threads})
	if err != nil {
		return nil, fmt.Errorf("model: %s: %w", path, err)
	}
	m := &Model{rt: rt, sess: sess, path: path, nodes: nodes}
	m.mean, m.std = normalization(nodes)
	if err := m.readShapes(); err != nil {
		sess.Close()
		return nil, fmt.Errorf("model: %s: %w", path, err)
	}
	m.batch = cfg.BatchSize
	if m.batch == 0 {
		m.batch = DefaultBatchSize
	}
	if m.fixedBatch > 0 {
		m.batch = m.fixedBatch
	}
	return m, nil
}

// readShapes checks the graph's input and output and reads the layout,
// input size, fixed batch and embedding size.
func (m *Model) readShapes() error {
	ins, outs := m.sess.Inputs(), m.sess.Outputs()
	if len(ins) != 1 {
		return fmt.Errorf("a face-embedding model takes one input, this graph takes %d", len(ins))
	}
	if len(outs) < 1 {
		return errors.New("the graph has no output")
	}
	in, out := ins[0], outs[0]
	if in.Type != ort.Float32 {
		return fmt.Errorf("input %s: want float32 N×3×H×W (or N×H×W×3), got %s", in.Name, in.Type)
	}
	if len(in.Shape) != 4 {
		return fmt.Errorf("input %s has shape %v (rank %d); want rank 4: N×3×H×W (or N×H×W×3)", in.Name, in.Shape, len(in.Shape))
	}
	switch {
	case in.Shape[1] == 3:
		m.lay, m.h, m.w = nchw, int(in.Shape[2]), int(in.Shape[3])
	case in.Shape[3] == 3:
		m.lay, m.h, m.w = nhwc, int(in.Shape[1]), int(in.Shape[2])
	default:
		return fmt.Errorf("input %s has shape %v; want 3 colour channels: N×3×H×W (or N×H×W×3)", in.Name, in.Shape)
	}
	if m.w <= 0 || m.h <= 0 {
		m.w, m.h = 112, 112 // dynamic size: insightface's standard crop
	}
	if in.Shape[0] > 0 {
		m.fixedBatch = int(in.Shape[0])
	}
	if out.Type != ort.Float32 || len(out.Shape) != 2 {
		return fmt.Errorf("output %s is %s%v; want float32 N×D embeddings", out.Name, out.Type, out.Shape)
	}
	if out.Shape[1] > 0 {
		m.dim = int(out.Shape[1])
	}
	return nil
}

// Close releases the session.
func (m *Model) Close() { m.sess.Close() }

// InputSize is the width and height images are resized to.
func (m *Model) InputSize() (w, h int) { return m.w, m.h }

// Normalization is the mean subtracted from every pixel value and the std
// it is divided by (insightface ArcFaceONNX's rule).
func (m *Model) Normalization() (mean, std float32) { return m.mean, m.std }

// Dim is the embedding size, 0 when the graph leaves it dynamic and nothing
// has been embedded yet.
func (m *Model) Dim() int { return m.dim }

// BatchSize is the number of images per run.
func (m *Model) BatchSize() int { return m.batch }

// RuntimeVersion is the ONNX Runtime library's version.
func (m *Model) RuntimeVersion() string { return m.rt.Version() }

// String describes the model in one line.
func (m *Model) String() string {
	lay := "NCHW"
	if m.lay == nhwc {
		lay = "NHWC"
	}
	return fmt.Sprintf("%s: %s %d×%d RGB, (x − %g)/%g, %d-d embeddings, batch %d, ONNX Runtime %s",
		m.path, lay, m.w, m.h, m.mean, m.std, m.dim, m.batch, m.rt.Version())
}
