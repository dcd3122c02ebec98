package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/evalkit/evalkit/align"
	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/imagedec"
	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/onnxmodel"
)

// ijbModelFlags are evalkit ijb's flags for running a model on the images
// (--model): insightface's IJB pipeline from the loose crops. The model
// flags are those of verify --model and embed.
type ijbModelFlags struct {
	modelFlags
	ijbDir, saveFeatures string
	jpeg                 jpegFlag
}

func (m *ijbModelFlags) register(fl *pflag.FlagSet) {
	addModelFlags(fl, &m.modelFlags)
	fl.StringVar(&m.ijbDir, "ijb-dir", "", "with --model: IJB directory holding loose_crop/ and meta/ (e.g. IJB_release/IJBC)")
	fl.StringVar(&m.saveFeatures, "save-features", "", "with --model: keep the images × 2·D features .npy here (reuse with --features)")
	m.jpeg.register(fl)
}

// jpegFlag is --jpeg-decoder: which JPEG decoder a model command uses.
type jpegFlag struct{ name string }

func (j *jpegFlag) register(fl *pflag.FlagSet) {
	fl.StringVar(&j.name, "jpeg-decoder", "auto", "auto (libjpeg-turbo when libturbojpeg.so.0 loads, else Go's image/jpeg), libjpeg-turbo (OpenCV's pixels) or go")
}

// decoder returns the decoder, after a note on errw when auto fell back to
// image/jpeg.
func (j jpegFlag) decoder(errw io.Writer) (*imagedec.Decoder, error) {
	backend, err := imagedec.ParseBackend(j.name)
	if err != nil {
		return nil, fmt.Errorf("--jpeg-decoder: %w", err)
	}
	dec, err := imagedec.New(imagedec.Options{Backend: backend})
	if err != nil {
		return nil, err
	}
	if note := dec.Note(); note != "" {
		fmt.Fprintln(errw, "evalkit: note:", note)
	}
	return dec, nil
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
	errw := cmd.ErrOrStderr()
	dec, err := m.jpeg.decoder(errw)
	if err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	model, err := m.open(errw)
	if err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	defer model.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opt := onnxmodel.EmbedOptions{Flip: true, Workers: m.workers}
	n := len(meta.Landmarks.Images)
	if isTerminal(errw) {
		bar := progressbar.NewOptions(n, progressbar.OptionSetWriter(errw), progressbar.OptionSetDescription("ijb"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("img"),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		opt.Progress = func(done int) { _ = bar.Set(done) }
		defer func() { _ = bar.Finish() }()
	}
	start := time.Now()
	feats, err := ijbFeatures(ctx, model, meta.Landmarks, filepath.Join(m.ijbDir, "loose_crop"), dec, opt)
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
	fmt.Fprintf(errw, "evalkit: embedded and aligned %d images of %s in %.1f s\n", n, m.ijbDir, time.Since(start).Seconds())
	if err := nd.WriteNpyFile(out, feats); err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	next := f
	next.model = ijbModelFlags{}
	next.features, next.metaDir = out, metaDir
	if next.method == "" {
		next.method = stem(m.path)
	}
	return runIJB(cmd.OutOrStdout(), cmd.ErrOrStderr(), next)
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
