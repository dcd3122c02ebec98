package model

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/internal/ort"
)

// goldenWeight is gen_onnx_export.py's formula for the tiny network.
func goldenWeights(n *Network) {
	for _, p := range n.Params() {
		name, _, _ := strings.Cut(p.Name, "_")
		k := 0
		for _, r := range name {
			k += int(r)
		}
		switch {
		case strings.HasSuffix(p.Name, "_weight") && len(p.Shape) == 2 && name != "fc7":
			for o := 0; o < p.Shape[0]; o++ {
				for i := 0; i < p.Shape[1]; i++ {
					p.Data[o*p.Shape[1]+i] = float32((o*7+i*3+k)%11-5) / 8
				}
			}
		case strings.HasSuffix(p.Name, "_bias"):
			for o := range p.Data {
				p.Data[o] = float32((o*5+k)%7-3) / 4
			}
		}
	}
}

func TestMarshalONNXMatchesOnnxHelper(t *testing.T) {
	n, err := New(Config{InputDim: 4, Hidden: []int{3}, EmbeddingDim: 2, NumClasses: 2, BatchSize: 1, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	goldenWeights(n)
	got, err := n.MarshalONNX(ONNXOptions{ProducerVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "testdata", "model", "tiny_export.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("MarshalONNX wrote %d bytes differing from onnx.helper's %d (gen_onnx_export.py)", len(got), len(want))
	}
}

func TestExportONNXErrors(t *testing.T) {
	n, err := New(Config{InputDim: 6, EmbeddingDim: 2, NumClasses: 2, BatchSize: 1, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	for _, c := range []struct {
		shape []int
		want  string
	}{
		{[]int{2, 2}, "holds 4 values, the network's input_dim is 6"},
		{[]int{6, 0}, "non-positive"},
		{[]int{6}, "one-channel"},
	} {
		if _, err := n.MarshalONNX(ONNXOptions{InputShape: c.shape, RGB: len(c.shape) == 1}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("shape %v: error %v, want %q", c.shape, err, c.want)
		}
	}
	dir := t.TempDir()
	if err := ExportONNX(filepath.Join(dir, "no", "such", "dir", "m.onnx"), n, ONNXOptions{}); err == nil {
		t.Error("export into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("a failed export left %v", entries)
	}
}

// TestExportONNXMatchesGoForward runs the exported file in ONNX Runtime and
// compares its embeddings with the Go forward pass.
func TestExportONNXMatchesGoForward(t *testing.T) {
	rt, err := ort.Load("")
	if err != nil {
		t.Skipf("no ONNX Runtime library (set %s; .ci/run installs one): %v", ort.EnvVar, err)
	}
	cfg := Config{InputDim: 784, Hidden: []int{256}, EmbeddingDim: 128, NumClasses: 10, BatchSize: 8, Workers: 2}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range n.Params() {
		for i := range p.Data {
			p.Data[i] = float32(r.NormFloat64() * math.Sqrt(2/float64(p.Shape[len(p.Shape)-1])))
		}
	}
	const rows = 13 // not a multiple of the Go batch size
	x := make([]float32, rows*784)
	for i := range x {
		x[i] = float32(r.IntN(256))
	}
	want := make([]float32, rows*128)
	if err := n.Embed(want, x); err != nil {
		t.Fatal(err)
	}
	for _, rgb := range []bool{false, true} {
		t.Run(map[bool]string{false: "grey", true: "rgb"}[rgb], func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.onnx")
			if err := ExportONNX(path, n, ONNXOptions{RGB: rgb}); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := rt.NewSession(b, ort.Options{IntraOpThreads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ch := map[bool]int{false: 1, true: 3}[rgb]
			if in := s.Inputs(); len(in) != 1 || in[0].Name != ONNXInput || len(in[0].Shape) != 4 || in[0].Shape[1] != int64(ch) || in[0].Shape[2] != 28 {
				t.Fatalf("inputs %v, want data (batch, %d, 28, 28)", in, ch)
			}
			in, err := rt.NewTensor([]int64{rows, int64(ch), 28, 28})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			dst := in.Float32s()
			for i := 0; i < rows; i++ {
				for c := 0; c < ch; c++ {
					copy(dst[(i*ch+c)*784:], x[i*784:(i+1)*784])
				}
			}
			out, err := s.Run(context.Background(), []*ort.Tensor{in})
			if err != nil {
				t.Fatal(err)
			}
			defer out[0].Close()
			got := out[0].Float32s()
			if len(got) != len(want) {
				t.Fatalf("ONNX Runtime gave %d values, want %d", len(got), len(want))
			}
			var worst float64
			for i := range got {
				d := math.Abs(float64(got[i]-want[i])) / math.Max(1, math.Abs(float64(want[i])))
				worst = math.Max(worst, d)
			}
			// Both sum 784 and 256 float32 products, in different orders.
			if worst > 1e-5 {
				t.Errorf("ONNX Runtime and the Go forward differ by up to %.3g (relative)", worst)
			}
			t.Logf("largest relative difference %.3g", worst)
		})
	}
}
