package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/identify"
	"github.com/evalkit/evalkit/verify"
)

// ijb1nFlags are the flags of `ijb --protocol 1n` beyond the 1:1 ones;
// --threads is shared with --model (ijbModelFlags).
type ijb1nFlags struct {
	rule, backend string
}

// addIJB1NFlags registers the 1:N flags on the ijb command.
func addIJB1NFlags(fl *pflag.FlagSet, f *ijb1nFlags) {
	fl.StringVar(&f.rule, "rule", "ijb_evals", "with --protocol 1n: ijb_evals (ijb_evals.py, G1 and G2 apart), ijb_1n (ijb_1n.py, G1 and G2 together) or nist")
	fl.StringVar(&f.backend, "blas", "auto", "with --protocol 1n: BLAS backend auto, gonum or openblas")
}

// templateSet is a 1:N list's templates: features (rows in ascending
// template id order) and subjects.
type templateSet struct {
	feats    identify.Matrix
	subjects []int64
}

func pickTemplates(tm *verify.Templates, templates, subjects []int64, what string) (templateSet, error) {
	rows, err := tm.Gather(templates)
	if err != nil {
		return templateSet{}, fmt.Errorf("ijb: %s %w", what, err)
	}
	m, err := identify.Float64Matrix(rows, len(templates), tm.Dim)
	return templateSet{feats: m, subjects: subjects}, err
}

func runIJB1N(w, stderr io.Writer, f ijbFlags) error {
	if f.features == "" || f.metaDir == "" {
		return fmt.Errorf("ijb: --protocol 1n needs --features and --meta-dir")
	}
	rule := f.n1.rule
	if rule != "ijb_evals" && rule != "ijb_1n" && rule != "nist" {
		return fmt.Errorf("ijb: --rule %q, want ijb_evals, ijb_1n or nist", rule)
	}
	meta, err := dataset.ReadIJB1NMeta(f.metaDir, f.target)
	if err != nil {
		return err
	}
	images, err := dataset.ReadIJBImageMeta(f.metaDir, f.target, dataset.IJBReadOptions{NoLandmarkPoints: true})
	if err != nil {
		return err
	}
	feats, err := loadArray(f.features, true)
	if err != nil {
		return fmt.Errorf("ijb: features: %w", err)
	}
	tm, err := ijbTemplates(f, strings.ToUpper(f.target), images, feats)
	if err != nil {
		return err
	}
	pt, ps := meta.Probes.Unique()
	probes, err := pickTemplates(tm, pt, ps, "probe")
	if err != nil {
		return err
	}
	var gals [2]templateSet
	for i, g := range meta.Galleries {
		gt, gs := g.Unique()
		if gals[i], err = pickTemplates(tm, gt, gs, "gallery "+meta.GalleryNames[i]); err != nil {
			return err
		}
	}
	search := func(g templateSet, cfg identify.Config) (*identify.State, error) {
		run, err := runSearch(stderr, identify.SearchInput{Probes: probes.feats, ProbeIDs: probes.subjects, Gallery: g.feats, GalleryIDs: g.subjects}, cfg, f.n1.backend, f.model.threads)
		if err != nil {
			return nil, err
		}
		return run.State, nil
	}
	switch rule {
	case "ijb_1n":
		// ijb_1n.py: one gallery of G1 and G2 together
		both := &dataset.IJB1NList{
			Templates: append(append([]int64(nil), meta.Galleries[0].Templates...), meta.Galleries[1].Templates...),
			Subjects:  append(append([]int64(nil), meta.Galleries[0].Subjects...), meta.Galleries[1].Subjects...),
		}
		gt, gs := both.Unique()
		g, err := pickTemplates(tm, gt, gs, "gallery")
		if err != nil {
			return err
		}
		need := 0
		for _, far := range identify.IJB1NFARs {
			need = max(need, int(ceilMul(probes.feats.Rows, far)))
		}
		st, err := search(g, identify.Config{K: 10, NonMatedTop: need})
		if err != nil {
			return err
		}
		r, err := st.IJB1N(identify.IJB1NFARs, tm.Dim)
		if err != nil {
			return err
		}
		if f.json {
			return writeJSON(w, r)
		}
		return r.WriteLines(w)
	case "nist":
		type galleryResult struct {
			Gallery string              `json:"gallery"`
			Mated   int                 `json:"mated"`
			CMC     []identify.RankRate `json:"cmc"`
			OpenSet *identify.OpenSet   `json:"open_set"`
		}
		var out []galleryResult
		for i, g := range gals {
			st, err := search(g, identify.Config{K: 20})
			if err != nil {
				return err
			}
			r := galleryResult{Gallery: meta.GalleryNames[i]}
			if r.CMC, r.Mated, err = st.CMC([]int{1, 5, 10, 20}); err != nil {
				return err
			}
			if r.OpenSet, err = st.OpenSet([]float64{0.0001, 0.001, 0.01, 0.1}, 1); err != nil {
				return err
			}
			out = append(out, r)
		}
		if f.json {
			return writeJSON(w, out)
		}
		for _, r := range out {
			fmt.Fprintf(w, "gallery %s: %d mated, %d non-mated searches\n", r.Gallery, r.Mated, r.OpenSet.NonMated)
			for _, c := range r.CMC {
				fmt.Fprintf(w, "  rank %-3d %.6f\n", c.Rank, c.Rate)
			}
			for _, p := range r.OpenSet.Points {
				fmt.Fprintf(w, "  FPIR %-7v TPIR %.6f  FNIR %.6f  threshold %.6f\n", p.TargetFPIR, p.TPIR, p.FNIR, p.Threshold)
			}
		}
		return nil
	}
	// ijb_evals.py run_model_test_1N
	fars, shown := identify.IJBEvalsFARs()
	var res [2]*identify.IJBEvalsResult
	for i, g := range gals {
		st, err := search(g, identify.Config{K: 10})
		if err != nil {
			return err
		}
		if res[i], err = st.IJBEvals(fars, tm.Dim); err != nil {
			return fmt.Errorf("ijb: gallery %s: %w", meta.GalleryNames[i], err)
		}
	}
	mean, err := identify.NewIJBEvalsMean(res[0], res[1], shown)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(w, mean)
	}
	fmt.Fprintf(w, "g1_templates_feature: (%d, %d)\ng2_templates_feature: (%d, %d)\nprobe_mixed_templates_feature: (%d, %d)\nprobe_mixed_unique_subject_ids: (%d,)\n",
		gals[0].feats.Rows, tm.Dim, gals[1].feats.Rows, tm.Dim, probes.feats.Rows, tm.Dim, probes.feats.Rows)
	for i, r := range res {
		fmt.Fprintf(w, ">>>> Gallery %d\n", i+1)
		if err := r.WriteLines(w); err != nil {
			return err
		}
	}
	return mean.WriteLines(w)
}

// ceilMul is math.Ceil(float64(n) * f), Python's math.ceil(n * f).
func ceilMul(n int, f float64) float64 {
	v := float64(n) * f
	c := float64(int64(v))
	if c < v {
		c++
	}
	return c
}
