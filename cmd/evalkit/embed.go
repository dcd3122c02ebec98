package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/evalkit/evalkit/onnxmodel"
)

type embedFlags struct {
	model        modelFlags
	jpeg         jpegFlag
	bin, images  string
	out, flipOut string
}

func newEmbedCmd() *cobra.Command {
	var f embedFlags
	cmd := &cobra.Command{
		Use:   "embed --model M.onnx (--bin F.bin | --images LIST) --out emb.npy [--flip-out flip.npy]",
		Short: "Embed face images with an ONNX model (ONNX Runtime, insightface's preprocessing)",
		Long: `embed runs an ONNX face-embedding model over the images of an insightface
.bin file or of an image list (one path per line, relative to the list's
directory; verify --export-images writes one) and writes the embeddings as an
N × D float32 .npy, rows in image order. --flip-out also writes the
embeddings of the horizontally mirrored images, which verify
--flip-embeddings adds as insightface does.

JPEG images decode with libjpeg-turbo when libturbojpeg.so.0 loads, which
gives OpenCV's pixels as insightface sees them (--jpeg-decoder).

Preprocessing is insightface's ArcFaceONNX: RGB, resized to the model's input
size when it differs, (x − 127.5)/127.5, or raw pixels when the graph's first
nodes subtract and multiply already (models converted from MXNet).

ONNX Runtime (libonnxruntime.so.1, 1.30) is loaded at run time from
--ort-lib, $ONNXRUNTIME_LIB or the loader's search path.`,
		Example: `  evalkit embed --model w600k_r50.onnx --bin lfw.bin --out lfw.npy --flip-out lfw_flip.npy
  evalkit embed --model model.onnx --images faces/images.txt --out faces.npy --ort-lib ./libonnxruntime.so.1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			return runEmbed(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	fl := cmd.Flags()
	addModelFlags(fl, &f.model)
	f.jpeg.register(fl)
	fl.StringVar(&f.bin, "bin", "", "insightface .bin file whose images to embed")
	fl.StringVar(&f.images, "images", "", "image list: one image path per line")
	fl.StringVar(&f.out, "out", "", "write the embeddings here (.npy, N × D float32)")
	fl.StringVar(&f.flipOut, "flip-out", "", "also write the embeddings of the mirrored images here")
	return cmd
}

func runEmbed(ctx context.Context, w, errw io.Writer, f embedFlags) error {
	if f.model.path == "" || f.out == "" || (f.bin == "") == (f.images == "") {
		return fmt.Errorf("embed: give --model, --out and one of --bin or --images")
	}
	dec, err := f.jpeg.decoder(errw)
	if err != nil {
		return fmt.Errorf("embed: %w", err)
	}
	var src onnxmodel.Source
	label := f.bin
	if f.bin != "" {
		src, _, err = binSource(f.bin, dec.DecodeImage)
	} else {
		label = f.images
		src, err = listSource(f.images, dec.DecodeImage)
	}
	if err != nil {
		return fmt.Errorf("embed: %w", err)
	}
	model, err := f.model.open(errw)
	if err != nil {
		return fmt.Errorf("embed: %w", err)
	}
	defer model.Close()
	e, err := f.model.embedAll(ctx, model, src, f.flipOut != "", label, errw)
	if err != nil {
		return fmt.Errorf("embed: %w", err)
	}
	if err := writeEmbeddings(f.out, e.Emb, e.N, e.Dim); err != nil {
		return fmt.Errorf("embed: %w", err)
	}
	fmt.Fprintf(w, "wrote %d × %d embeddings to %s\n", e.N, e.Dim, f.out)
	if f.flipOut != "" {
		if err := writeEmbeddings(f.flipOut, e.Flip, e.N, e.Dim); err != nil {
			return fmt.Errorf("embed: %w", err)
		}
		fmt.Fprintf(w, "wrote %d × %d mirror embeddings to %s\n", e.N, e.Dim, f.flipOut)
	}
	return nil
}
