package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// runVerifyModel is verify --model: for every --bin in order, embed its
// images and their mirrors with the model, write the two arrays as .npy
// (to --save-embeddings DIR, else a temporary directory) and evaluate them
// as verify --embeddings … --flip-embeddings … --bin does.
func runVerifyModel(ctx context.Context, w, errw io.Writer, f verifyFlags) error {
	switch {
	case len(f.bins) == 0:
		return fmt.Errorf("verify: --model needs at least one --bin FILE")
	case f.embeddings != "" || f.flip != "" || f.issame != "" || f.pairs != "" || f.imageList != "" || f.exportImages != "":
		return fmt.Errorf("verify: --model takes its pairs and images from --bin; drop --embeddings, --flip-embeddings, --issame, --pairs, --image-list and --export-images")
	case f.name != "" && len(f.bins) > 1:
		return fmt.Errorf("verify: --name names one target; with several --bin files each is named after its file")
	case f.plot != "" && len(f.bins) > 1:
		return fmt.Errorf("verify: --plot draws one target; give one --bin")
	}
	dir := f.saveEmbeddings
	if dir == "" {
		tmp, err := os.MkdirTemp("", "evalkit-verify-")
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		defer func() { _ = os.RemoveAll(tmp) }()
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("verify: --save-embeddings: %w", err)
	}
	dec, err := f.jpeg.decoder(errw)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	model, err := f.model.open(errw)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer model.Close()
	for _, bin := range f.bins {
		src, _, err := binSource(bin, dec.DecodeImage)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		e, err := f.model.embedAll(ctx, model, src, true, bin, errw)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		name := strings.TrimSuffix(filepath.Base(bin), filepath.Ext(bin))
		tf := f
		tf.bin, tf.bins, tf.model, tf.jpeg = bin, nil, modelFlags{}, jpegFlag{}
		tf.embeddings = filepath.Join(dir, name+".npy")
		tf.flip = filepath.Join(dir, name+"_flip.npy")
		if err := writeEmbeddings(tf.embeddings, e.Emb, e.N, e.Dim); err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		if err := writeEmbeddings(tf.flip, e.Flip, e.N, e.Dim); err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		if err := runVerify(w, errw, tf); err != nil {
			return err
		}
	}
	return nil
}
