package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/report"
	"github.com/evalkit/evalkit/verify"
)

type verifyFlags struct {
	cpuProfile       string
	embeddings, flip string
	issame, bin      string
	pairs, imageList string
	folds            int
	name             string
	fars             []float64
	mode, score      string
	json             bool
	plot             string
	exportImages     string
	// verify --model (verify_model.go): --bin repeats there.
	bins           []string
	model          modelFlags
	jpeg           jpegFlag
	saveEmbeddings string
}

func newVerifyCmd() *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify --embeddings FILE (--issame FILE | --bin FILE | --pairs FILE --image-list FILE) [flags]",
		Short: "Face-verification accuracy of embeddings: insightface's 10-fold protocol, ROC, EER, TAR@FAR",
		Long: `verify evaluates pair embeddings with insightface's verification protocol
(verification.py evaluate()) and prints its lines with identical digits:

  [lfw]XNorm: 22.075580
  [lfw]Accuracy-Flip: 0.99800+-0.00245

followed by VAL@FAR=1e-3, AUC, EER and a TAR@FAR table over all pairs.

Embeddings are an N × D float32 or float64 .npy (or FILE.npz, FILE.npz:NAME),
rows 2i and 2i+1 forming pair i as in insightface's .bin files. With
--flip-embeddings (the embeddings of the mirrored images) each row is the sum of
both before normalisation, insightface's "Accuracy-Flip"; without, the line
reads "Accuracy". Pair labels come from --issame (.npy of bool/0-1, a text file
of 0/1 or true/false per line, or a .bin) or from --bin. With --pairs (LFW
pairs.txt) and --image-list (the image path of every embedding row), pairs are
looked up by image name instead.

Thresholds are squared-L2 distances between unit vectors (a pair is "same"
below the threshold) or, with --score cosine, cosine similarities (same above).
--mode exact searches every distinct distance instead of insightface's grid.
TAR@FAR is read at the ROC point of nearest FPR (insightface's IJB rule) and
interpolated. --export-images DIR writes the images of a --bin file as
JPEG/PNG files with images.txt and issame.txt, for embedding with your model.

With --model M.onnx, verify embeds the images of each --bin (repeatable)
and their mirrors itself, through ONNX Runtime with insightface's
preprocessing (see evalkit embed), and evaluates each target in order.`,
		Example: `  evalkit verify --embeddings emb.npy --flip-embeddings emb_flip.npy --bin lfw.bin
  evalkit verify --embeddings emb.npy --issame issame.txt --json --plot roc.png
  evalkit verify --embeddings emb.npy --pairs pairs.txt --image-list images.txt --mode exact
  evalkit verify --bin lfw.bin --export-images lfw_images/
  evalkit verify --model w600k_r50.onnx --bin lfw.bin --bin cfp_fp.bin --bin agedb_30.bin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withCPUProfile(f.cpuProfile, func() error {
				if f.model.path != "" {
					ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
					defer stop()
					return runVerifyModel(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
				}
				if len(f.bins) > 1 {
					return fmt.Errorf("verify: several --bin files need --model")
				}
				g := f // f outlives this run: its --bin must not stick
				if len(f.bins) == 1 {
					g.bin = f.bins[0]
				}
				// Embeddings may be memory-mapped: a file rewritten while it
				// is read gives an error naming it, not SIGBUS.
				return nd.GuardMapped(func() error { return runVerify(cmd.OutOrStdout(), cmd.ErrOrStderr(), g) })
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.embeddings, "embeddings", "", "embeddings, N × D .npy or .npz[:NAME] (rows 2i, 2i+1 = pair i)")
	fl.StringVar(&f.flip, "flip-embeddings", "", "embeddings of the horizontally flipped images, same shape")
	fl.StringVar(&f.issame, "issame", "", "pair labels: .npy (bool or 0/1), text (0/1/true/false per line) or .bin")
	fl.StringArrayVar(&f.bins, "bin", nil, "insightface .bin file supplying the pair labels (or the images, with --export-images or --model; repeatable with --model)")
	fl.StringVar(&f.pairs, "pairs", "", "LFW pairs.txt (with --image-list)")
	fl.StringVar(&f.imageList, "image-list", "", "image path of every embedding row, one per line (with --pairs)")
	fl.IntVar(&f.folds, "folds", 10, "number of contiguous folds")
	fl.StringVar(&f.name, "name", "", "target name printed in [NAME] (default: the .bin file name, else lfw)")
	fl.Float64SliceVar(&f.fars, "far", nil, "false-accept rate for the TAR@FAR table (repeatable; default 1e-6 … 1e-1)")
	fl.StringVar(&f.mode, "mode", "grid", "threshold search: grid (insightface) or exact")
	fl.StringVar(&f.score, "score", "l2", "pair score: l2 (squared L2 distance, insightface) or cosine")
	fl.BoolVar(&f.json, "json", false, "print the results as JSON")
	fl.StringVar(&f.plot, "plot", "", "write the ROC curve to this PNG file")
	fl.StringVar(&f.exportImages, "export-images", "", "write the images of --bin into this directory and exit")
	addModelFlags(fl, &f.model)
	f.jpeg.register(fl)
	fl.StringVar(&f.saveEmbeddings, "save-embeddings", "", "with --model: keep each target's embeddings as DIR/NAME.npy and DIR/NAME_flip.npy")
	addCPUProfileFlag(cmd, &f.cpuProfile)
	return cmd
}

func checkFARs(fars []float64) ([]float64, error) {
	if len(fars) == 0 {
		return verify.StandardFARs, nil
	}
	for _, f := range fars {
		if !(f > 0 && f <= 1) {
			return nil, fmt.Errorf("--far %v is not in (0, 1]", f)
		}
	}
	return fars, nil
}

func runVerify(w, errw io.Writer, f verifyFlags) error {
	if f.exportImages != "" {
		if f.bin == "" {
			return fmt.Errorf("verify: --export-images needs --bin FILE")
		}
		b, err := dataset.ReadBinFile(f.bin)
		if err != nil {
			return err
		}
		names, err := b.ExportImages(f.exportImages)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %d images (%d pairs) with images.txt and issame.txt to %s\n", len(names), b.Pairs(), f.exportImages)
		return nil
	}
	if f.embeddings == "" {
		return fmt.Errorf("verify: give --embeddings FILE.npy")
	}
	mode, err := verify.ParseMode(f.mode)
	if err != nil {
		return err
	}
	score, err := verify.ParseScore(f.score)
	if err != nil {
		return err
	}
	if f.folds < 1 {
		return fmt.Errorf("verify: --folds must be at least 1, got %d", f.folds)
	}
	fars, err := checkFARs(f.fars)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	sources := 0
	for _, s := range []string{f.issame, f.bin, f.pairs} {
		if s != "" {
			sources++
		}
	}
	if sources != 1 {
		return fmt.Errorf("verify: give exactly one of --issame, --bin or --pairs (with --image-list) for the pair labels")
	}
	if (f.pairs == "") != (f.imageList == "") {
		return fmt.Errorf("verify: --pairs and --image-list go together")
	}
	name := f.name
	if name == "" {
		name = "lfw"
		for _, s := range []string{f.bin, f.issame} {
			if s != "" && strings.ToLower(filepath.Ext(s)) == ".bin" {
				name = strings.TrimSuffix(filepath.Base(s), filepath.Ext(s))
			}
		}
	}
	// LFW pairs index rows at random: those embeddings are mapped whole.
	emb, err := openEmbeddings(f.embeddings, f.flip, f.pairs == "")
	if err != nil {
		return err
	}
	defer emb.close()
	var issame []bool
	var scores []float64
	var xnorm float64
	switch {
	case f.pairs != "":
		p, err := dataset.ReadLFWPairsFile(f.pairs)
		if err != nil {
			return err
		}
		list, err := dataset.ReadImageListFile(f.imageList)
		if err != nil {
			return err
		}
		if sh := emb.shape(); len(sh) == 2 && sh[0] != len(list) {
			return fmt.Errorf("verify: embeddings have %d rows but the image list names %d images", sh[0], len(list))
		}
		a, b, err := p.ImageRows(list)
		if err != nil {
			return err
		}
		issame = p.Issame()
		if scores, xnorm, err = verify.IndexedPairScores(emb.arr, emb.flipArr, a, b, score); err != nil {
			return err
		}
	default:
		src := f.issame
		if src == "" {
			src = f.bin
		}
		if issame, err = dataset.ReadIssameFile(src); err != nil {
			return err
		}
		if sh := emb.shape(); len(sh) == 2 && sh[0] != 2*len(issame) {
			return fmt.Errorf("verify: embeddings have %d rows but %s labels %d pairs; want 2 rows per pair (%d)", sh[0], src, len(issame), 2*len(issame))
		}
		if scores, xnorm, err = emb.pairScores(score); err != nil {
			return err
		}
	}
	res, err := verify.Evaluate(scores, issame, verify.Options{Folds: f.folds, Mode: mode, Score: score})
	if err != nil {
		return err
	}
	res.XNorm = xnorm
	for _, warn := range res.Warnings {
		fmt.Fprintf(errw, "evalkit: warning: %s\n", warn)
	}

	// Curve metrics over all pairs.
	roc, toUser, err := verify.PairROC(scores, issame, score)
	if err != nil {
		return err
	}
	sum := verify.Summarize(roc, fars, toUser)

	if f.plot != "" {
		curve := report.ROCCurve{Name: fmt.Sprintf("%s (AUC %.4f)", name, sum.AUC), FPR: roc.FPR, TPR: roc.TPR}
		if err := report.WriteROCPNG(f.plot, []report.ROCCurve{curve}, report.ROCPlotOptions{
			Title: name + " ROC (" + mode.String() + ", " + score.String() + ")", MarkFARs: fars, ZoomTPR: true,
		}); err != nil {
			return err
		}
	}
	rep := verify.NewReport(name, f.folds, f.flip != "", res, sum)
	if f.json {
		return writeJSON(w, rep)
	}
	return rep.WriteText(w)
}
