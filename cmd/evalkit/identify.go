package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/evalkit/evalkit/identify"
	"github.com/evalkit/evalkit/internal/atomicfile"
	"github.com/evalkit/evalkit/internal/blas"
	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/report"
)

type identifyFlags struct {
	gallery, galleryIDs, probes, probeIDs, distractors string
	ranks                                              []int
	fpirs                                              []float64
	rule                                               string
	json                                               bool
	plot                                               string
	backend                                            string
	threads                                            int
	saveState                                          string
	perProbe                                           string
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
rules and quirks (docs/compatibility.md).`,
		Example: `  evalkit identify --gallery g.npy --gallery-ids gid.npy --probes p.npy --probe-ids pid.npy
  evalkit identify ... --distractors megaface.npy --rank 1,10 --plot cmc.png
  evalkit identify ... --rule ijb_evals --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runIdentify(cmd.OutOrStdout(), cmd.ErrOrStderr(), f, cmd.Flags().Changed("fpir"))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.gallery, "gallery", "", "gallery features, N × D .npy")
	fl.StringVar(&f.galleryIDs, "gallery-ids", "", "gallery identities, integer .npy of N")
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
	return cmd
}

// loadFeatures maps a feature .npy (or loads a .npz member) as a Matrix.
func loadFeatures(spec, what string) (identify.Matrix, error) {
	a, err := loadArray(spec, true)
	if err != nil {
		return identify.Matrix{}, fmt.Errorf("%s: %w", what, err)
	}
	m, err := identify.MatrixFromArray(a)
	if err != nil {
		return identify.Matrix{}, fmt.Errorf("%s %s: %w", what, spec, err)
	}
	return m, nil
}

// loadIDs reads an integer identity vector of n entries.
func loadIDs(spec, what string, n int) ([]int64, error) {
	a, err := loadArray(spec, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if a.DType().IsFloat() || a.Int64s() == nil {
		return nil, fmt.Errorf("%s %s: identities must be integers, got %s", what, spec, a.DType())
	}
	if a.Size() != n || (a.NDim() != 1 && !(a.NDim() == 2 && a.Dim(1) == 1)) {
		return nil, fmt.Errorf("%s %s: shape %s, want (%d,), one identity per feature row", what, spec, nd.ShapeString(a.Shape()), n)
	}
	return a.Int64s(), nil
}

// searchRun is one search's inputs and its result.
type searchRun struct {
	state    *identify.State
	backend  blas.Backend
	probes   int
	gallery  int
	distr    int
	dim      int
	prec     string
	duration time.Duration
}

// runSearch searches probes against gallery and distractors (distr.Rows may be 0).
func runSearch(stderr io.Writer, probes identify.Matrix, probeIDs []int64, gallery identify.Matrix, galleryIDs []int64, distr identify.Matrix, cfg identify.Config, backend string, threads int) (*searchRun, error) {
	b, err := blas.Select(backend)
	if err != nil {
		return nil, err
	}
	if probes.Is64() != gallery.Is64() || (distr.Rows > 0 && distr.Is64() != probes.Is64()) {
		probes, gallery = probes.To64(), gallery.To64()
		if distr.Rows > 0 {
			distr = distr.To64()
		}
	}
	if distr.Rows > 0 && distr.Cols != probes.Cols {
		return nil, fmt.Errorf("identify: distractors have dimension %d, probes %d", distr.Cols, probes.Cols)
	}
	cfg.GallerySize = int64(gallery.Rows)
	st, err := identify.NewState(probeIDs, cfg)
	if err != nil {
		return nil, err
	}
	run := &searchRun{state: st, backend: b, probes: probes.Rows, gallery: gallery.Rows, distr: distr.Rows, dim: probes.Cols, prec: "float32"}
	if probes.Is64() {
		run.prec = "float64"
	}
	opts := identify.SearchOptions{Backend: b, Threads: threads}
	total := int64(probes.Rows) * int64(gallery.Rows+distr.Rows)
	var bar *progressbar.ProgressBar
	if isTerminal(stderr) && total > 1<<28 {
		bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("searching"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	var base int64
	if bar != nil {
		opts.Progress = func(done, _ int64) { _ = bar.Set64(base + done) }
	}
	start := time.Now()
	if err := st.Search(probes, identify.Shard{Features: gallery, IDs: galleryIDs}, opts); err != nil {
		return nil, err
	}
	base = int64(probes.Rows) * int64(gallery.Rows)
	if distr.Rows > 0 {
		if err := st.Search(probes, identify.Shard{Features: distr, Offset: int64(gallery.Rows)}, opts); err != nil {
			return nil, err
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	run.duration = time.Since(start)
	return run, nil
}

func (r *searchRun) describe() string {
	d := ""
	if r.distr > 0 {
		d = fmt.Sprintf(" + %d distractors", r.distr)
	}
	return fmt.Sprintf("searched %d probes × %d gallery%s, %d-d %s, %s, %.3g s",
		r.probes, r.gallery, d, r.dim, r.prec, blas.Describe(r.backend), r.duration.Seconds())
}

// distractorCheckpoints are MegaFace's counts below n, then n.
func distractorCheckpoints(n int) []int64 {
	var cps []int64
	for _, c := range identify.MegaFaceCheckpoints {
		if c < int64(n) {
			cps = append(cps, c)
		}
	}
	if n > 0 {
		cps = append(cps, int64(n))
	}
	return cps
}

func runIdentify(w, stderr io.Writer, f identifyFlags, fpirChanged bool) error {
	for _, req := range []struct{ v, name string }{{f.gallery, "--gallery"}, {f.galleryIDs, "--gallery-ids"}, {f.probes, "--probes"}, {f.probeIDs, "--probe-ids"}} {
		if req.v == "" {
			return fmt.Errorf("identify: %s is required", req.name)
		}
	}
	if f.rule != "nist" && f.rule != "ijb_1n" && f.rule != "ijb_evals" {
		return fmt.Errorf("identify: --rule %q, want nist, ijb_1n or ijb_evals", f.rule)
	}
	gallery, err := loadFeatures(f.gallery, "gallery")
	if err != nil {
		return err
	}
	probes, err := loadFeatures(f.probes, "probes")
	if err != nil {
		return err
	}
	gids, err := loadIDs(f.galleryIDs, "gallery ids", gallery.Rows)
	if err != nil {
		return err
	}
	pids, err := loadIDs(f.probeIDs, "probe ids", probes.Rows)
	if err != nil {
		return err
	}
	var distr identify.Matrix
	if f.distractors != "" {
		if distr, err = loadFeatures(f.distractors, "distractors"); err != nil {
			return err
		}
	}
	fars := f.fpirs
	if !fpirChanged {
		switch f.rule {
		case "ijb_1n":
			fars = identify.IJB1NFARs
		case "ijb_evals":
			fars, _ = identify.IJBEvalsFARs()
		}
	}
	ranks := slices.Clone(f.ranks)
	slices.Sort(ranks)
	k := 1
	if len(ranks) > 0 {
		k = max(k, ranks[len(ranks)-1])
	}
	cfg := identify.Config{K: k, Checkpoints: distractorCheckpoints(distr.Rows)}
	if f.rule != "nist" {
		cfg.K = 10 // the insightface rules print top-1, top-5 and top-10
	}
	if f.rule == "ijb_1n" {
		for _, far := range fars {
			cfg.NonMatedTop = max(cfg.NonMatedTop, int(math.Ceil(float64(probes.Rows)*far)))
		}
	}
	run, err := runSearch(stderr, probes, pids, gallery, gids, distr, cfg, f.backend, f.threads)
	if err != nil {
		return err
	}
	st := run.state
	if f.saveState != "" {
		if err := atomicfile.Write(f.saveState, func(w io.Writer) error { return json.NewEncoder(w).Encode(st) }); err != nil {
			return err
		}
	}
	if f.perProbe != "" {
		if err := writeCandidates(f.perProbe, st); err != nil {
			return err
		}
	}
	switch f.rule {
	case "ijb_1n":
		r, err := st.IJB1N(fars, run.dim)
		if err != nil {
			return err
		}
		if f.json {
			return writeJSON(w, r)
		}
		return r.WriteLines(w)
	case "ijb_evals":
		r, err := st.IJBEvals(fars, run.dim)
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

func pick(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = v[j]
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// nistResult is identify's JSON output for the NIST rule.
type nistResult struct {
	Probes      int                        `json:"probes"`
	Gallery     int                        `json:"gallery"`
	Distractors int                        `json:"distractors"`
	Backend     string                     `json:"backend"`
	Seconds     float64                    `json:"seconds"`
	Mated       int                        `json:"mated"`
	CMC         []identify.RankRate        `json:"cmc"`
	OpenSet     *identify.OpenSet          `json:"open_set,omitempty"`
	Rank1       []identify.DistractorPoint `json:"rank1_by_distractors,omitempty"`
}

func writeNIST(w io.Writer, f identifyFlags, run *searchRun, ranks []int) error {
	st := run.state
	res := nistResult{Probes: run.probes, Gallery: run.gallery, Distractors: run.distr, Backend: blas.Describe(run.backend), Seconds: run.duration.Seconds()}
	var err error
	if res.CMC, res.Mated, err = st.CMC(ranks); err != nil {
		return err
	}
	if res.Mated < run.probes {
		if res.OpenSet, err = st.OpenSet(f.fpirs, 1); err != nil {
			return err
		}
	}
	if run.distr > 0 {
		if res.Rank1, err = st.Rank1ByDistractors(); err != nil {
			return err
		}
	}
	if f.plot != "" {
		c := report.IdentificationCurves{Name: stem(f.probes)}
		all := make([]int, st.Config().K)
		for i := range all {
			all[i] = i + 1
		}
		cmc, _, err := st.CMC(all)
		if err != nil {
			return err
		}
		for _, p := range cmc {
			c.Ranks, c.Rates = append(c.Ranks, p.Rank), append(c.Rates, p.Rate)
		}
		if res.OpenSet != nil {
			c.FPIR, c.FNIR = res.OpenSet.CurveFPIR, res.OpenSet.CurveFNIR
		}
		if err := report.WriteIdentificationPNG(f.plot, c); err != nil {
			return err
		}
	}
	if f.json {
		return writeJSON(w, res)
	}
	fmt.Fprintln(w, run.describe())
	fmt.Fprintf(w, "\nclosed-set CMC over %d mated searches (of %d probes)\n  rank  identification rate\n", res.Mated, run.probes)
	for _, c := range res.CMC {
		fmt.Fprintf(w, "%6d  %.6f  (%d)\n", c.Rank, c.Rate, c.Hits)
	}
	if o := res.OpenSet; o != nil {
		fmt.Fprintf(w, "\nopen-set, NIST: %d mated and %d non-mated searches, a hit ranks 1 and scores above the threshold\n", o.Mated, o.NonMated)
		fmt.Fprintf(w, "  %-10s %-12s %-10s %-10s %s\n", "FPIR", "threshold", "FPIR seen", "TPIR", "FNIR")
		for _, p := range o.Points {
			fmt.Fprintf(w, "  %-10s %-12.6f %-10.6f %-10.6f %.6f\n", strings.TrimSpace(fmt.Sprint(p.TargetFPIR)), p.Threshold, p.FPIR, p.TPIR, p.FNIR)
		}
	}
	if len(res.Rank1) > 0 {
		fmt.Fprintf(w, "\nrank-1 as distractors join the gallery (MegaFace)\n  distractors  rank-1\n")
		for _, p := range res.Rank1 {
			fmt.Fprintf(w, "  %11d  %.6f\n", p.Distractors, p.Rank1)
		}
	}
	return nil
}

// writeCandidates writes one JSON line per probe: identity, mate rank
// (0: no mate or beyond K), mate and candidates as [gallery index, score].
func writeCandidates(path string, st *identify.State) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		for p := range st.NumProbes() {
			type line struct {
				Probe      int          `json:"probe"`
				ID         int64        `json:"id"`
				MateRank   int          `json:"mate_rank"`
				Mate       *[2]float64  `json:"mate"`
				Candidates [][2]float64 `json:"candidates"`
			}
			l := line{Probe: p, ID: st.ProbeID(p), MateRank: st.MateRank(p), Candidates: [][2]float64{}}
			if m, _, ok := st.Mate(p); ok {
				l.Mate = &[2]float64{float64(m.Index), m.Score}
			}
			for _, c := range st.Candidates(p) {
				l.Candidates = append(l.Candidates, [2]float64{float64(c.Index), c.Score})
			}
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		return nil
	})
}
