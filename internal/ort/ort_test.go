package ort

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// loadOrSkip loads ONNX Runtime as Load("") does, or skips the test.
func loadOrSkip(t *testing.T) *Runtime {
	t.Helper()
	r, err := Load("")
	if err != nil {
		t.Skipf("no ONNX Runtime library (set %s; .ci/run installs one): %v", EnvVar, err)
	}
	return r
}

func tinySession(t *testing.T, r *Runtime) *Session {
	t.Helper()
	model, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ort", "tiny.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.NewSession(model, Options{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestRunTiny(t *testing.T) {
	r := loadOrSkip(t)
	if !strings.HasPrefix(r.Version(), "1.") {
		t.Errorf("Version() = %q", r.Version())
	}
	s := tinySession(t, r)
	if got, want := s.Inputs(), []TensorInfo{{Name: "x", Type: Float32, Shape: []int64{-1, 3}}}; !cmp.Equal(got, want) {
		t.Errorf("Inputs() = %v, want %v", got, want)
	}
	if got, want := s.Outputs(), []TensorInfo{{Name: "y", Type: Float32, Shape: []int64{-1, 2}}}; !cmp.Equal(got, want) {
		t.Errorf("Outputs() = %v, want %v", got, want)
	}
	x, err := r.NewTensor([]int64{2, 3})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	copy(x.Float32s(), []float32{1, 0, 0, 1, 1, 1})
	out, err := s.Run(context.Background(), []*Tensor{x})
	if err != nil {
		t.Fatal(err)
	}
	defer out[0].Close()
	// [1 0 0]·W + b = [1.5, 1]; [1 1 1]·W + b = [9.5, 11].
	if got, want := out[0].Float32s(), []float32{1.5, 1, 9.5, 11}; !cmp.Equal(got, want) {
		t.Errorf("y = %v, want %v", got, want)
	}
	if got := out[0].Shape(); !cmp.Equal(got, []int64{2, 2}) {
		t.Errorf("y shape = %v, want [2 2]", got)
	}
}

func TestRunConcurrent(t *testing.T) {
	r := loadOrSkip(t)
	s := tinySession(t, r)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			x, err := r.NewTensor([]int64{1, 3})
			if err != nil {
				t.Error(err)
				return
			}
			defer x.Close()
			copy(x.Float32s(), []float32{float32(g), 0, 0})
			for range 20 {
				out, err := s.Run(context.Background(), []*Tensor{x})
				if err != nil {
					t.Error(err)
					return
				}
				if got, want := out[0].Float32s(), []float32{float32(g) + 0.5, 2*float32(g) - 1}; !cmp.Equal(got, want) {
					t.Errorf("goroutine %d: y = %v, want %v", g, got, want)
				}
				out[0].Close()
			}
		})
	}
	wg.Wait()
}

func TestRunErrors(t *testing.T) {
	r := loadOrSkip(t)
	s := tinySession(t, r)
	t.Run("cancelled", func(t *testing.T) {
		x, _ := r.NewTensor([]int64{1, 3})
		defer x.Close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.Run(ctx, []*Tensor{x}); !errors.Is(err, context.Canceled) {
			t.Errorf("Run after cancel: err = %v, want context.Canceled", err)
		}
	})
	t.Run("input count", func(t *testing.T) {
		_, err := s.Run(context.Background(), nil)
		if err == nil || !strings.Contains(err.Error(), "takes 1 inputs (x float32[-1 3]), got 0") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("wrong shape", func(t *testing.T) {
		x, _ := r.NewTensor([]int64{1, 4})
		defer x.Close()
		_, err := s.Run(context.Background(), []*Tensor{x})
		var oe *Error
		if !errors.As(err, &oe) || oe.Code != InvalidArgument {
			t.Errorf("err = %v, want an INVALID_ARGUMENT *Error", err)
		}
	})
	t.Run("not onnx", func(t *testing.T) {
		_, err := r.NewSession([]byte("this is not a protobuf"), Options{})
		var oe *Error
		if !errors.As(err, &oe) || oe.Code != InvalidProtobuf {
			t.Errorf("err = %v, want an INVALID_PROTOBUF *Error", err)
		}
	})
	t.Run("empty model", func(t *testing.T) {
		if _, err := r.NewSession(nil, Options{}); err == nil {
			t.Error("no error")
		}
	})
	t.Run("negative threads", func(t *testing.T) {
		if _, err := r.NewSession([]byte{1}, Options{IntraOpThreads: -1}); err == nil {
			t.Error("no error")
		}
	})
	t.Run("negative dim", func(t *testing.T) {
		if _, err := r.NewTensor([]int64{-1, 3}); err == nil {
			t.Error("no error")
		}
	})
}

func TestLoadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	_, err := Load(path)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	for _, want := range []string{path, "--ort-lib", "npm pack onnxruntime-node@1.30.0", EnvVar} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	t.Setenv(EnvVar, path)
	if _, err := Load(""); err == nil || !strings.Contains(err.Error(), "$"+EnvVar) {
		t.Errorf("Load with $%s set to a missing file: err = %v", EnvVar, err)
	}
}

func TestLoadNotORT(t *testing.T) {
	// A shared library that is not ONNX Runtime: the C library itself.
	_, err := Load("libc.so.6")
	if err == nil || !strings.Contains(err.Error(), "OrtGetApiBase") {
		t.Errorf("err = %v, want one naming OrtGetApiBase", err)
	}
}
