package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/report"
	"github.com/evalkit/evalkit/verify"
)

type ijbFlags struct {
	features, metaDir, target string
	noFlip, noDetector        bool
	normImages                bool
	scores, labels            string
	saveScores                string
	method                    string
	fars                      []float64
	json                      bool
	plot                      string
	model                     ijbModelFlags // --model: features from the images (ijb_model.go)
	protocol                  string
	n1                        ijb1nFlags // --protocol 1n (ijb_1n.go)
	timing                    bool
	cpuProfile                string
}

func newIJBCmd() *cobra.Command {
	var f ijbFlags
	cmd := &cobra.Command{
		Use:   "ijb (--features FILE --meta-dir DIR | --scores FILE (--labels FILE | --meta-dir DIR)) [flags]",
		Short: "IJB-B/C 1:1 verification: template aggregation, scores, insightface's TAR@FAR table",
		Long: `ijb runs insightface's IJB-B/IJB-C 1:1 evaluation (eval_ijbc.py) and prints its
TAR@FAR table, TAR in percent with two decimals at the ROC point of nearest FPR:

  +-------------+-------+-------+--------+-------+-------+-------+
  |   Methods   | 1e-06 | 1e-05 | 0.0001 | 0.001 |  0.01 |  0.1  |
  +-------------+-------+-------+--------+-------+-------+-------+
  | feats-IJBC  | 89.91 | 94.47 | 96.28  | 97.52 | 98.36 | 99.08 |
  +-------------+-------+-------+--------+-------+-------+-------+

then AUC, EER and interpolated TAR@FAR.

With --features (an images × 2·D .npy of [f(image) | f(flipped image)] rows, in
the order of meta/{ijbc,ijbb}_face_tid_mid.txt) the features are flip-summed,
weighted by the detector scores of {t}_name_5pts_score.txt, averaged per media,
summed and normalised per template, and every pair of
{t}_template_pair_label.txt is scored by cosine similarity. --no-flip,
--no-detector-score and --norm-images switch those steps as eval_ijbc.py's
flags do. With --scores (a .npy of one score per template pair, as eval_ijbc.py
saves) only the ROC is computed; labels come from --labels (.npy or text of
0/1) or the pair file in --meta-dir.`,
		Example: `  evalkit ijb --features ijbc_feats.npy --meta-dir IJB_release/IJBC/meta --target IJBC
  evalkit ijb --scores result/ijbc.npy --meta-dir IJB_release/IJBC/meta --target IJBC --plot roc.png
  evalkit ijb --scores scores.npy --labels labels.npy --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withCPUProfile(f.cpuProfile, func() error {
				if f.protocol == "1n" {
					return runIJB1N(cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
				}
				if f.model.path != "" {
					return runIJBModel(cmd, f)
				}
				return runIJB(cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
			})
		},
	}
	fl := cmd.Flags()
	f.model.register(fl)
	fl.StringVar(&f.features, "features", "", "image features .npy (images × 2·D: original | flipped), in tid_mid order")
	fl.StringVar(&f.metaDir, "meta-dir", "", "IJB meta directory holding {ijbc,ijbb}_face_tid_mid.txt, _template_pair_label.txt, _name_5pts_score.txt")
	fl.StringVar(&f.target, "target", "IJBC", "IJBC or IJBB")
	fl.BoolVar(&f.noFlip, "no-flip", false, "features are single embeddings (D columns), no flip halves to sum")
	fl.BoolVar(&f.noDetector, "no-detector-score", false, "do not weight image features by the detector score")
	fl.BoolVar(&f.normImages, "norm-images", false, "L2-normalise each image feature before weighting (use_norm_score=False)")
	fl.StringVar(&f.scores, "scores", "", "template-pair scores .npy (instead of --features)")
	fl.StringVar(&f.labels, "labels", "", "template-pair labels (.npy or text of 0/1), with --scores")
	fl.StringVar(&f.saveScores, "save-scores", "", "write the template-pair scores to this .npy")
	fl.StringVar(&f.method, "method", "", "method name of the table row (default: the features or scores file name)")
	fl.Float64SliceVar(&f.fars, "far", nil, "false-accept rates of the table (repeatable; default 1e-6 … 1e-1)")
	fl.BoolVar(&f.json, "json", false, "print the results as JSON")
	fl.StringVar(&f.plot, "plot", "", "write the ROC curve to this PNG file")
	fl.StringVar(&f.protocol, "protocol", "11", "11 (1:1 verification) or 1n (1:N identification)")
	addIJB1NFlags(fl, &f.n1)
	fl.BoolVar(&f.timing, "timing", false, "print the wall time of each step to stderr")
	addCPUProfileFlag(cmd, &f.cpuProfile)
	return cmd
}

func stem(p string) string { return strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)) }

// ijbInput is what every ijb mode hands to the report: one score and one
// label per template pair, and the table row's method name.
type ijbInput struct {
	scores []float64
	labels []bool
	method string
}

func runIJB(w, errw io.Writer, f ijbFlags) error {
	fars, err := checkFARs(f.fars)
	if err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	if (f.features == "") == (f.scores == "") {
		return fmt.Errorf("ijb: give either --features (with --meta-dir) or --scores")
	}
	target := strings.ToUpper(f.target)
	ph := newPhases(nil)
	if f.timing {
		ph = newPhases(errw)
	}
	var in ijbInput
	switch {
	case f.features != "":
		in, err = ijbFromFeatures(f, target, ph)
	default:
		in, err = ijbFromScores(f, target)
	}
	if err != nil {
		return err
	}
	if f.method != "" {
		in.method = f.method
	}
	return ijbReport(w, f, target, fars, in, ph)
}

// ijbReport saves the scores if asked, computes the exact ROC and prints
// the TAR@FAR table (or JSON) and plots it.
func ijbReport(w io.Writer, f ijbFlags, target string, fars []float64, in ijbInput, ph *phases) error {
	scores, labels := in.scores, in.labels
	if f.saveScores != "" {
		a, err := nd.FromFloat64(scores)
		if err != nil {
			return err
		}
		if err := nd.WriteNpyFile(f.saveScores, a); err != nil {
			return err
		}
		ph.done("save scores")
	}
	// The scores are saved and no longer needed in order: split them by
	// label in place and let the curve own them, so tens of millions of
	// scores are never copied.
	gen, imp, err := verify.PartitionScores(scores, labels)
	if err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	c, err := verify.NewCurveOwning(gen, imp)
	if err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	roc, err := c.ROC()
	if err != nil {
		return fmt.Errorf("ijb: %w", err)
	}
	ph.done("exact ROC")
	sum := verify.Summarize(roc, fars, nil)
	name := in.method + "-" + target
	if f.plot != "" {
		if err := report.WriteROCPNG(f.plot, []report.ROCCurve{{Name: name, FPR: roc.FPR, TPR: roc.TPR}},
			report.ROCPlotOptions{Title: "ROC on " + target, MinFPR: 1e-6, MaxFPR: 0.1, MinTPR: 0.3, MarkFARs: fars}); err != nil {
			return err
		}
	}
	defer ph.total()
	if f.json {
		out := verify.NewIJBReport(in.method, target, roc, sum)
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprint(w, verify.TARTable(name, roc, fars))
	fmt.Fprintf(w, "[%s]AUC: %1.6f EER: %1.5f (cosine >= %s)\n", name, sum.AUC, sum.EER, verify.Threshold(float64(sum.EERThreshold)))
	return sum.WriteTARTable(w, name, "cosine >=")
}
