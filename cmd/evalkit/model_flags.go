package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/internal/atomicfile"
	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/onnxmodel"
)

// modelFlags are the flags of the commands that run an ONNX model.
type modelFlags struct {
	path    string
	ortLib  string
	threads int
	batch   int
	workers int
}

func addModelFlags(fl *pflag.FlagSet, m *modelFlags) {
	fl.StringVar(&m.path, "model", "", "ONNX face-embedding model (N×3×H×W RGB in, N×D out), run with ONNX Runtime")
	fl.StringVar(&m.ortLib, "ort-lib", "", "ONNX Runtime library libonnxruntime.so.1 (default: $ONNXRUNTIME_LIB, else the loader's search path)")
	fl.IntVar(&m.threads, "threads", 0, "ONNX Runtime intra-op threads (ijb --protocol 1n: search goroutines) (0: one per core)")
	fl.IntVar(&m.batch, "batch-size", onnxmodel.DefaultBatchSize, "images per model run (their mirrors run with them)")
	fl.IntVar(&m.workers, "workers", 0, "goroutines decoding the next batches while the model runs (0: half the CPUs)")
}

func (m modelFlags) open(errw io.Writer) (*onnxmodel.Model, error) {
	if m.batch < 1 {
		return nil, fmt.Errorf("--batch-size must be at least 1, got %d", m.batch)
	}
	model, err := onnxmodel.Open(m.path, onnxmodel.Config{ORTLib: m.ortLib, Threads: m.threads, BatchSize: m.batch})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(errw, "evalkit: model %s\n", model)
	return model, nil
}

// embedAll embeds src (and its mirrors with flip), with a progress bar on
// errw when it is a terminal.
func (m modelFlags) embedAll(ctx context.Context, model *onnxmodel.Model, src onnxmodel.Source, flip bool, label string, errw io.Writer) (*onnxmodel.Embeddings, error) {
	opt := onnxmodel.EmbedOptions{Flip: flip, Workers: m.workers}
	if isTerminal(errw) {
		bar := progressbar.NewOptions(src.Len(), progressbar.OptionSetWriter(errw), progressbar.OptionSetDescription(label),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("img"),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		opt.Progress = func(done int) { _ = bar.Set(done) }
		defer func() { _ = bar.Finish() }()
	}
	start := time.Now()
	e, err := model.Embed(ctx, src, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	if s := time.Since(start).Seconds(); s > 0 {
		fmt.Fprintf(errw, "evalkit: embedded %d images of %s in %.1f s (%.1f images/s)\n", e.N, label, s, float64(e.N)/s)
	}
	return e, nil
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// binSource reads a .bin file's images, to be decoded on demand by dec.
func binSource(path string, dec onnxmodel.Decoder) (onnxmodel.Source, *dataset.Bin, error) {
	b, err := dataset.ReadBinFile(path)
	if err != nil {
		return nil, nil, err
	}
	return onnxmodel.EncodedSource{Data: b.Images, Decode: dec}, b, nil
}

// listSource reads an image list (one path per line, relative to the
// list's directory unless absolute), as verify --export-images writes.
func listSource(path string, dec onnxmodel.Decoder) (onnxmodel.Source, error) {
	paths, err := dataset.ReadImageListFile(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	for i, p := range paths {
		if !filepath.IsAbs(p) {
			paths[i] = filepath.Join(dir, p)
		}
	}
	return onnxmodel.FileSource{Paths: paths, Decode: dec}, nil
}

// writeEmbeddings writes N×D float32 rows as .npy, atomically.
func writeEmbeddings(path string, rows []float32, n, dim int) error {
	a, err := nd.FromFloat32(rows, n, dim)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error { return nd.WriteNpy(w, a) })
}
