package identify

import (
	"fmt"
	"time"

	"github.com/evalkit/evalkit/internal/blas"
)

// SearchInput is what one whole search reads: probes and their identities,
// the gallery and its identities, and optional distractors (no identities;
// a zero Matrix for none).
type SearchInput struct {
	Probes      Matrix
	ProbeIDs    []int64
	Gallery     Matrix
	GalleryIDs  []int64
	Distractors Matrix
}

// Run is one whole search of every probe against the gallery and then the
// distractors, with what it searched and how long it took.
type Run struct {
	// State holds the search's result.
	State *State
	// Backend is the BLAS backend that computed the scores.
	Backend blas.Backend
	// Probes, Gallery and Distractors count the rows searched; Dim is the
	// feature dimension.
	Probes, Gallery, Distractors, Dim int
	// Precision is "float32" or "float64", the precision the search ran in.
	Precision string
	// Duration is the wall time of the search.
	Duration time.Duration
	// Merged is the number of saved search states (shards) the State was
	// merged from (RunFromStates), 0 for a search in this process.
	Merged int
}

// RunFromStates merges the states of shards of one search (the same probes
// and configuration, disjoint parts of the gallery and of the distractors,
// e.g. searched on several machines and saved as JSON) into a Run for the
// reports. It fails unless the shards cover the whole gallery and the
// distractors (their number) exactly once by count.
func RunFromStates(states []*State, distractors int64) (*Run, error) {
	if len(states) == 0 {
		return nil, fmt.Errorf("identify: no search states to merge")
	}
	st := states[0].emptyLike()
	for i, s := range states {
		if err := st.Merge(s); err != nil {
			return nil, fmt.Errorf("%w (state %d of %d)", err, i+1, len(states))
		}
	}
	if err := st.Complete(distractors); err != nil {
		return nil, fmt.Errorf("%w: a shard is missing, or shards overlap", err)
	}
	return &Run{State: st, Probes: st.NumProbes(), Gallery: int(st.cfg.GallerySize), Distractors: int(st.distractorsSeen),
		Dim: st.dim, Merged: len(states)}, nil
}

// RunSearch searches in.Probes against in.Gallery and then in.Distractors
// (when it has rows) into a new State of cfg, whose GallerySize it sets to
// the gallery's rows. When the inputs differ in precision, all of them are
// promoted to float64. opts.Progress, when set, sees the scores computed over
// the whole run (gallery and distractors) and their total.
func RunSearch(in SearchInput, cfg Config, opts SearchOptions) (*Run, error) {
	probes, gallery, distr := in.Probes, in.Gallery, in.Distractors
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
	st, err := NewState(in.ProbeIDs, cfg)
	if err != nil {
		return nil, err
	}
	if opts.Backend == nil {
		opts.Backend = blas.Gonum{}
	}
	run := &Run{State: st, Backend: opts.Backend, Probes: probes.Rows, Gallery: gallery.Rows, Distractors: distr.Rows,
		Dim: probes.Cols, Precision: precision(probes)}
	total := int64(probes.Rows) * int64(gallery.Rows+distr.Rows)
	var base int64
	if report := opts.Progress; report != nil {
		opts.Progress = func(done, _ int64) { report(base+done, total) }
	}
	start := time.Now()
	if err := st.Search(probes, Shard{Features: gallery, IDs: in.GalleryIDs}, opts); err != nil {
		return nil, err
	}
	base = int64(probes.Rows) * int64(gallery.Rows)
	if distr.Rows > 0 {
		if err := st.Search(probes, Shard{Features: distr, Offset: int64(gallery.Rows)}, opts); err != nil {
			return nil, err
		}
	}
	run.Duration = time.Since(start)
	return run, nil
}

// Describe is the run in one line: sizes, dimension, precision, backend and
// seconds, as evalkit identify prints it.
func (r *Run) Describe() string {
	d := ""
	if r.Distractors > 0 {
		d = fmt.Sprintf(" + %d distractors", r.Distractors)
	}
	if r.Merged > 0 {
		return fmt.Sprintf("merged %d search states: %d probes × %d gallery%s, %d-d", r.Merged, r.Probes, r.Gallery, d, r.Dim)
	}
	return fmt.Sprintf("searched %d probes × %d gallery%s, %d-d %s, %s, %.3g s",
		r.Probes, r.Gallery, d, r.Dim, r.Precision, blas.Describe(r.Backend), r.Duration.Seconds())
}

// DistractorCheckpoints are the MegaFaceCheckpoints below n, then n itself
// (none for n = 0): the Config.Checkpoints of a search with n distractors.
func DistractorCheckpoints(n int) []int64 {
	var cps []int64
	for _, c := range MegaFaceCheckpoints {
		if c < int64(n) {
			cps = append(cps, c)
		}
	}
	if n > 0 {
		cps = append(cps, int64(n))
	}
	return cps
}
