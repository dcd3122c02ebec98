package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/evalkit/evalkit/identify"
	"github.com/evalkit/evalkit/internal/atomicfile"
)

type identifyFlags struct {
	galleries, galleryIDs         []string
	probes, probeIDs, distractors string
	ranks                         []int
	fpirs                         []float64
	rule                          string
	json                          bool
	plot                          string
	backend                       string
	threads                       int
	saveState                     string
	perProbe                      string
	cpuProfile                    string
	shard                         shardFlags
	merge                         []string
}

func newIdentifyCmd() *cobra.Command {
	var f identifyFlags
	cmd := &cobra.Command{
		Use:   "identify --gallery G.npy --gallery-ids GID.npy --probes P.npy --probe-ids PID.npy [flags]",
		Short: "1:N identification: CMC, TPIR/FNIR@FPIR, insightface's IJB 1:N rules, rank-1 against distractors",
		Long: `identify searches every probe against the gallery (and the distractors) by
inner product — cosine similarity for L2-normalised features — and prints the
closed-set CMC over the mated searches (probes whose identity is in the
gallery) and, when some probes are not enrolled, open-set TPIR and FNIR at each
FPIR by NIST's definitions with the threshold that reaches it. With
--distractors it also prints rank-1 as MegaFace does, as 10, 100, … of the
distractors join the gallery.

Features are N × D float32 or float64 .npy files (computation runs in their
precision); identities are integer .npy vectors. The search computes a block
of probes × gallery rows at a time with BLAS and keeps each probe's best
candidates, so memory stays near the inputs' size. --blas auto uses OpenBLAS
(libopenblas.so.0, or the library EVALKIT_OPENBLAS names) when it loads and
gonum's pure Go otherwise; the kernel OpenBLAS runs is printed (set
OPENBLAS_CORETYPE to override its choice).

--rule ijb_1n and --rule ijb_evals print insightface's IJB 1:N lines
(ijb_1n.py evaluation(), ijb_evals.py evaluation_1N()) instead, with their
rules and quirks (docs/compatibility.md).

A gallery too large for one machine is searched in shards: each run names
where its --gallery file lies in the whole (--gallery-offset, --gallery-total;
likewise --distractor-offset, --distractor-total), saves its state
(--save-state) and prints no report; --merge then merges the states (the
same probes and flags) into exactly the result of one search and reports it.`,
		Example: `  evalkit identify --gallery g.npy --gallery-ids gid.npy --probes p.npy --probe-ids pid.npy
  evalkit identify ... --distractors megaface.npy --rank 1,10 --plot cmc.png
  evalkit identify ... --rule ijb_evals --json
  # a gallery in two shards, searched apart (e.g. on two machines), then merged
  evalkit identify --probes p.npy --probe-ids pid.npy --gallery g0.npy --gallery-ids gid0.npy --gallery-total 1000000 --save-state s0.json
  evalkit identify --probes p.npy --probe-ids pid.npy --gallery g1.npy --gallery-ids gid1.npy --gallery-offset 600000 --gallery-total 1000000 --save-state s1.json
  evalkit identify --merge s0.json --merge s1.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withCPUProfile(f.cpuProfile, func() error {
				return runIdentify(cmd.OutOrStdout(), cmd.ErrOrStderr(), f, cmd.Flags().Changed("fpir"))
			})
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.galleries, "gallery", nil, "gallery features, N × D .npy (repeatable: each gallery searched in turn, e.g. IJB's G1 and G2)")
	fl.StringArrayVar(&f.galleryIDs, "gallery-ids", nil, "gallery identities, integer .npy of N (one per --gallery, in order)")
	fl.StringVar(&f.probes, "probes", "", "probe features, M × D .npy")
	fl.StringVar(&f.probeIDs, "probe-ids", "", "probe identities, integer .npy of M")
	fl.StringVar(&f.distractors, "distractors", "", "distractor features (no identity), .npy")
	fl.IntSliceVar(&f.ranks, "rank", []int{1, 5, 10, 20}, "CMC ranks")
	fl.Float64SliceVar(&f.fpirs, "fpir", []float64{0.001, 0.01, 0.1}, "false-positive identification rates (FARs for the ijb rules)")
	fl.StringVar(&f.rule, "rule", "nist", "nist, ijb_1n or ijb_evals")
	fl.BoolVar(&f.json, "json", false, "print the results as JSON")
	fl.StringVar(&f.plot, "plot", "", "write the CMC and DET curves to this PNG file")
	fl.StringVar(&f.backend, "blas", "auto", "BLAS backend: auto, gonum or openblas")
	fl.IntVar(&f.threads, "threads", 0, "goroutines (0: all cores)")
	fl.StringVar(&f.saveState, "save-state", "", "write the search state (mergeable JSON) to this file")
	fl.StringVar(&f.perProbe, "candidates", "", "write each probe's mate rank and candidates as JSON lines to this file")
	addShardFlags(fl, &f)
	addCPUProfileFlag(cmd, &f.cpuProfile)
	return cmd
}

func runIdentify(w, stderr io.Writer, f identifyFlags, fpirChanged bool) error {
	if f.rule != "nist" && f.rule != "ijb_1n" && f.rule != "ijb_evals" {
		return fmt.Errorf("identify: --rule %q, want nist, ijb_1n or ijb_evals", f.rule)
	}
	if len(f.merge) > 0 {
		return runIdentifyMerge(w, f, fpirChanged)
	}
	if f.shard.set() {
		return runIdentifyShard(w, stderr, f, fpirChanged)
	}
	switch {
	case len(f.galleries) == 0 || len(f.galleryIDs) == 0:
		return fmt.Errorf("identify: --gallery is required, with --gallery-ids")
	case len(f.galleries) != len(f.galleryIDs):
		return fmt.Errorf("identify: %d --gallery but %d --gallery-ids; give one identity file per gallery", len(f.galleries), len(f.galleryIDs))
	case len(f.galleries) > 1 && (f.saveState != "" || f.perProbe != "" || f.plot != ""):
		return fmt.Errorf("identify: --save-state, --candidates and --plot take one --gallery")
	}
	probes, pids, err := loadProbes(f)
	if err != nil {
		return err
	}
	// The probes are read once for every gallery.
	for i, g := range f.galleries {
		gallery, err := loadFeatures(g, "gallery")
		if err != nil {
			return err
		}
		gids, err := loadIDs(f.galleryIDs[i], "gallery ids", gallery.Rows)
		if err != nil {
			return err
		}
		if err := identifyGallery(w, stderr, f, fpirChanged, probes, pids, gallery, gids); err != nil {
			return fmt.Errorf("%w (gallery %s)", err, g)
		}
	}
	return nil
}

// identifyGallery searches the probes against one gallery (and the
// distractors) and prints the rule's results.
func identifyGallery(w, stderr io.Writer, f identifyFlags, fpirChanged bool, probes identify.Matrix, pids []int64, gallery identify.Matrix, gids []int64) error {
	var err error
	var distr identify.Matrix
	if f.distractors != "" {
		if distr, err = loadFeatures(f.distractors, "distractors"); err != nil {
			return err
		}
	}
	cfg, fars, ranks := searchSetup(f, fpirChanged, probes.Rows, distr.Rows)
	run, err := runSearch(stderr, identify.SearchInput{Probes: probes, ProbeIDs: pids, Gallery: gallery, GalleryIDs: gids, Distractors: distr}, cfg, f.backend, f.threads)
	if err != nil {
		return err
	}
	st := run.State
	if f.saveState != "" {
		if err := saveState(f.saveState, st); err != nil {
			return err
		}
	}
	if f.perProbe != "" {
		if err := atomicfile.Write(f.perProbe, st.WriteCandidates); err != nil {
			return err
		}
	}
	return reportRun(w, f, fpirChanged, run, fars, ranks)
}

// reportRun prints run's results under the --rule.
func reportRun(w io.Writer, f identifyFlags, fpirChanged bool, run *identify.Run, fars []float64, ranks []int) error {
	st := run.State
	switch f.rule {
	case "ijb_1n":
		r, err := st.IJB1N(fars, run.Dim)
		if err != nil {
			return err
		}
		if f.json {
			return writeJSON(w, r)
		}
		return r.WriteLines(w)
	case "ijb_evals":
		r, err := st.IJBEvals(fars, run.Dim)
		if err != nil {
			return err
		}
		if f.json {
			return writeJSON(w, r)
		}
		if err := r.WriteLines(w); err != nil {
			return err
		}
		cols := [][]float64{r.FARs, r.TPIRs, r.Thresholds}
		if !fpirChanged {
			_, shown := identify.IJBEvalsFARs()
			cols = [][]float64{pick(r.FARs, shown), pick(r.TPIRs, shown), pick(r.Thresholds, shown)}
		}
		_, err = io.WriteString(w, identify.PipeTable([]string{"far", "tpir", "thresh"}, cols))
		return err
	}
	return writeNIST(w, f, run, ranks)
}
