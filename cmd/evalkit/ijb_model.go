package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/evalkit/evalkit/align"
	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/imagedec"
	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/onnxmodel"
)

// ijbModelFlags are evalkit ijb's flags for running a model on the images
// (--model): insightface's IJB pipeline from the loose crops.
type ijbModelFlags struct {
	path, ijbDir, ortLib, jpeg, saveFeatures string
	threads, batchSize, workers              int
}

func (m *ijbModelFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&m.path, "model", "", "ONNX face-embedding model: compute the features from the images of --ijb-dir (insightface's pipeline)")
	fl.StringVar(&m.ijbDir, "ijb-dir", "", "with --model: IJB directory holding loose_crop/ and meta/ (e.g. IJB_release/IJBC)")
	fl.StringVar(&m.ortLib, "ort-lib", "", "with --model: ONNX Runtime library (default $ONNXRUNTIME_LIB, then libonnxruntime.so.1)")
	fl.StringVar(&m.jpeg, "jpeg-decoder", "auto", "with --model: auto, libjpeg-turbo (OpenCV's pixels) or go (image/jpeg)")
	fl.StringVar(&m.saveFeatures, "save-features", "", "with --model: keep the images × 2·D features .npy here (reuse with --features)")
	fl.IntVar(&m.threads, "threads", 0, "with --model: ONNX Runtime threads (0: one per core)")
	fl.IntVar(&m.batchSize, "batch-size", 0, "with --model: images per model run (0: 32)")
	fl.IntVar(&m.workers, "workers", 0, "with --model: goroutines decoding and aligning the next batches (0: half the CPUs)")
}

// runIJBModel computes insightface's IJB image features with the model —
// every loose crop aligned to the ArcFace template by its five landmarks,
// embedded with its mirror — and evaluates them as --features does.
func runIJBModel(cmd *cobra.Command, f ijbFlags) error {
	m := f.model
	if f.features != "" || f.scores != "" {
		return fmt.Errorf("ijb: --model computes the features itself; give neither --features nor --scores")
	}
	if m.ijbDir == "" {
		return fmt.Errorf("ijb: --model needs --ijb-dir (the directory holding loose_crop/ and meta/)")
	}
	if m.threads < 0 || m.batchSize < 0 || m.workers < 0 {
		return fmt.Errorf("ijb: --threads, --batch-size and --workers must not be negative, got %d, %d, %d", m.threads, m.batchSize, m.workers)
	}
	backend, err := imagedec.ParseBackend(m.jpeg)
	if err != nil {
		return fmt.Errorf("ijb: --jpeg-decoder: %w", err)
	}
	target := strings.ToUpper(f.target)
	metaDir := filepath.Join(m.ijbDir, "meta")
	if f.metaDir != "" {
		metaDir = f.metaDir
	}
	meta, err := dataset.ReadIJBMeta(metaDir, target)
	if err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	if meta.Landmarks == nil {
		return fmt.Errorf("ijb: --model needs the landmarks of %s/%s_name_5pts_score.txt", metaDir, strings.ToLower(target))
	}
	dec, err := imagedec.New(imagedec.Options{Backend: backend})
	if err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	if note := dec.Note(); note != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "evalkit: note:", note)
	}
	model, err := onnxmodel.Open(m.path, onnxmodel.Config{ORTLib: m.ortLib, Threads: m.threads, BatchSize: m.batchSize})
	if err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	defer model.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	progress := terminalProgress(cmd.ErrOrStderr(), "ijb: embedded", len(meta.Landmarks.Images))
	feats, err := ijbFeatures(ctx, model, meta.Landmarks, filepath.Join(m.ijbDir, "loose_crop"), dec, onnxmodel.EmbedOptions{Flip: true, Workers: m.workers, Progress: progress})
	if progress != nil {
		fmt.Fprintln(cmd.ErrOrStderr())
	}
	if err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	out := m.saveFeatures
	if out == "" {
		tmp, err := os.MkdirTemp("", "evalkit-ijb-")
		if err != nil {
			return fmt.Errorf("ijb: %w", err)
		}
		defer func() { _ = os.RemoveAll(tmp) }() // scratch space: nothing to keep
		out = filepath.Join(tmp, "features.npy")
	}
	if err := nd.WriteNpyFile(out, feats); err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	next := f
	next.model = ijbModelFlags{}
	next.features, next.metaDir = out, metaDir
	if next.method == "" {
		next.method = stem(m.path)
	}
	return runIJB(cmd.OutOrStdout(), next)
}

// ijbFeatures embeds every image of the landmark file, aligned by its five
// landmarks to the model's input size, and its mirror: an images × 2·D
// float32 array of [f(image) | f(mirror)] rows, insightface's img_feats.
func ijbFeatures(ctx context.Context, model *onnxmodel.Model, lm *dataset.IJBLandmarks, dir string, dec *imagedec.Decoder, opt onnxmodel.EmbedOptions) (*nd.Array, error) {
	size, h := model.InputSize()
	if size != h || (size%112 != 0 && size%128 != 0) {
		size = 112 // insightface's crop; the model's preprocessing resizes it
	}
	src := align.Crops{Paths: make([]string, len(lm.Images)), Landmarks: make([][5][2]float32, len(lm.Images)), Size: size, Decode: dec.DecodeImage}
	for i, name := range lm.Images {
		src.Paths[i] = filepath.Join(dir, name)
		for k := 0; k < 5; k++ {
			src.Landmarks[i][k] = [2]float32{lm.Landmarks[i][2*k], lm.Landmarks[i][2*k+1]}
		}
	}
	var feats []float32
	dim := 0
	err := model.EmbedFunc(ctx, src, opt, func(start int, emb, flip []float32) error {
		if feats == nil {
			dim = model.Dim()
			if dim <= 0 {
				return fmt.Errorf("model %s gave no embedding size", model)
			}
			feats = make([]float32, len(lm.Images)*2*dim)
		}
		for r := 0; r < len(emb)/dim; r++ {
			row := feats[(start+r)*2*dim:]
			copy(row[:dim], emb[r*dim:(r+1)*dim])
			copy(row[dim:2*dim], flip[r*dim:(r+1)*dim])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if feats == nil {
		return nil, fmt.Errorf("no images in the landmark file")
	}
	return nd.FromFloat32(feats, len(lm.Images), 2*dim)
}

// terminalProgress returns a progress callback that rewrites one status
// line on w when w is a terminal, and nil otherwise (pipes and files get no
// progress noise).
func terminalProgress(w io.Writer, what string, total int) func(done int) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(done int) {
		fmt.Fprintf(f, "\r%s %d/%d images (%.0f%%)", what, done, total, 100*float64(done)/float64(max(total, 1)))
	}
}
