package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/evalkit/evalkit/identify"
	"github.com/evalkit/evalkit/internal/atomicfile"
	"github.com/evalkit/evalkit/internal/blas"
)

// shardFlags place a run's --gallery and --distractors files in a larger
// whole searched in shards; a total of -1 means the file is the whole.
type shardFlags struct {
	galleryOffset, galleryTotal int64
	distrOffset, distrTotal     int64
}

func (s shardFlags) set() bool {
	return s.galleryOffset != 0 || s.galleryTotal >= 0 || s.distrOffset != 0 || s.distrTotal >= 0
}

func addShardFlags(fl *pflag.FlagSet, f *identifyFlags) {
	fl.Int64Var(&f.shard.galleryOffset, "gallery-offset", 0, "a shard: the index of --gallery's first row in the whole gallery")
	fl.Int64Var(&f.shard.galleryTotal, "gallery-total", -1, "a shard: the rows of the whole gallery (--gallery may then be left out: a shard of distractors only)")
	fl.Int64Var(&f.shard.distrOffset, "distractor-offset", 0, "a shard: the index of --distractors' first row among all distractors")
	fl.Int64Var(&f.shard.distrTotal, "distractor-total", -1, "a shard: the number of all distractors")
	fl.StringArrayVar(&f.merge, "merge", nil, "merge the search states of shards saved with --save-state and report them (repeatable)")
}

// place checks that rows rows at offset lie within total (-1: the rows
// themselves) and returns the total.
func place(what string, offset, total int64, rows int) (int64, error) {
	if total < 0 {
		total = int64(rows)
	}
	if offset < 0 || offset+int64(rows) > total {
		return 0, fmt.Errorf("identify: %s rows %d…%d do not lie within the %d of the whole (--%s-offset, --%s-total)", what, offset, offset+int64(rows)-1, total, what, what)
	}
	return total, nil
}

// runIdentifyShard searches the probes against one part of the gallery
// and of the distractors and saves the state for --merge.
func runIdentifyShard(w, stderr io.Writer, f identifyFlags, fpirChanged bool) error {
	switch {
	case f.saveState == "":
		return fmt.Errorf("identify: a shard (--gallery-offset, --gallery-total, --distractor-offset or --distractor-total) needs --save-state, to merge later with --merge")
	case len(f.galleries) > 1 || len(f.galleries) != len(f.galleryIDs):
		return fmt.Errorf("identify: a shard takes at most one --gallery, with its --gallery-ids")
	case len(f.galleries) == 0 && f.shard.galleryTotal < 0:
		return fmt.Errorf("identify: --gallery is required, or --gallery-total for a shard of distractors only")
	case f.perProbe != "" || f.plot != "":
		return fmt.Errorf("identify: --candidates and --plot need the whole search: give them to --merge")
	}
	probes, pids, err := loadProbes(f)
	if err != nil {
		return err
	}
	var gallery, distr identify.Matrix
	var gids []int64
	if len(f.galleries) == 1 {
		if gallery, err = loadFeatures(f.galleries[0], "gallery"); err != nil {
			return err
		}
		if gids, err = loadIDs(f.galleryIDs[0], "gallery ids", gallery.Rows); err != nil {
			return err
		}
	}
	if f.distractors != "" {
		if distr, err = loadFeatures(f.distractors, "distractors"); err != nil {
			return err
		}
	}
	gTotal, err := place("gallery", f.shard.galleryOffset, f.shard.galleryTotal, gallery.Rows)
	if err != nil {
		return err
	}
	dTotal, err := place("distractor", f.shard.distrOffset, f.shard.distrTotal, distr.Rows)
	if err != nil {
		return err
	}
	if probes.Is64() != gallery.Is64() && gallery.Rows > 0 || probes.Is64() != distr.Is64() && distr.Rows > 0 {
		probes, gallery, distr = probes.To64(), gallery.To64(), distr.To64()
	}
	cfg, _, _ := searchSetup(f, fpirChanged, probes.Rows, int(dTotal))
	cfg.GallerySize = gTotal
	st, err := identify.NewState(pids, cfg)
	if err != nil {
		return err
	}
	opts, finish, err := searchOptions(stderr, f.backend, f.threads)
	if err != nil {
		return err
	}
	start := time.Now()
	// one progress bar over both searches, as identify.RunSearch shows it
	total := int64(probes.Rows) * int64(gallery.Rows+distr.Rows)
	var base int64
	shards := []identify.Shard{{Features: gallery, IDs: gids, Offset: f.shard.galleryOffset}, {Features: distr, Offset: gTotal + f.shard.distrOffset}}
	for _, sh := range shards {
		if sh.Features.Rows == 0 {
			continue
		}
		o := opts
		if report := opts.Progress; report != nil {
			b := base
			o.Progress = func(done, _ int64) { report(b+done, total) }
		}
		if err = st.Search(probes, sh, o); err != nil {
			break
		}
		base += int64(probes.Rows) * int64(sh.Features.Rows)
	}
	finish()
	if err != nil {
		return err
	}
	if err := saveState(f.saveState, st); err != nil {
		return err
	}
	d := ""
	if dTotal > 0 {
		d = fmt.Sprintf(", distractors %s of %d", span(f.shard.distrOffset, distr.Rows), dTotal)
	}
	prec := "float32"
	if probes.Is64() {
		prec = "float64"
	}
	_, err = fmt.Fprintf(w, "searched %d probes × gallery rows %s of %d%s, %d-d %s, %s, %.3g s\nstate saved to %s: a shard; report the whole with evalkit identify --merge and every shard's state\n",
		probes.Rows, span(f.shard.galleryOffset, gallery.Rows), gTotal, d, probes.Cols, prec, blas.Describe(opts.Backend), time.Since(start).Seconds(), f.saveState)
	return err
}

// span prints rows rows from offset as "a…b" ("none" for no rows).
func span(offset int64, rows int) string {
	if rows == 0 {
		return "none"
	}
	return fmt.Sprintf("%d…%d", offset, offset+int64(rows)-1)
}

// runIdentifyMerge merges the --merge states and reports them as one
// search.
func runIdentifyMerge(w io.Writer, f identifyFlags, fpirChanged bool) error {
	if len(f.galleries) > 0 || len(f.galleryIDs) > 0 || f.probes != "" || f.probeIDs != "" || f.distractors != "" || f.shard.set() {
		return fmt.Errorf("identify: --merge reads saved states only: leave out --gallery, --gallery-ids, --probes, --probe-ids, --distractors and the shard flags")
	}
	states := make([]*identify.State, len(f.merge))
	for i, p := range f.merge {
		st, err := loadState(p)
		if err != nil {
			return err
		}
		states[i] = st
	}
	// a search's checkpoints end at its number of distractors
	// (identify.DistractorCheckpoints)
	var distractors int64
	if cps := states[0].Config().Checkpoints; len(cps) > 0 {
		distractors = cps[len(cps)-1]
	}
	run, err := identify.RunFromStates(states, distractors)
	if err != nil {
		return err
	}
	cfg, fars, ranks := searchSetup(f, fpirChanged, run.Probes, run.Distractors)
	if got := run.State.Config(); got.K < cfg.K || got.NonMatedTop < cfg.NonMatedTop {
		return fmt.Errorf("identify: the states keep %d candidates and %d non-mated scores; --rule %s with these --rank/--fpir needs %d and %d: search the shards with the same flags", got.K, got.NonMatedTop, f.rule, cfg.K, cfg.NonMatedTop)
	}
	if f.saveState != "" {
		if err := saveState(f.saveState, run.State); err != nil {
			return err
		}
	}
	if f.perProbe != "" {
		if err := atomicfile.Write(f.perProbe, run.State.WriteCandidates); err != nil {
			return err
		}
	}
	return reportRun(w, f, fpirChanged, run, fars, ranks)
}

// saveState writes st as JSON to path, atomically.
func saveState(path string, st *identify.State) error {
	return atomicfile.Write(path, func(w io.Writer) error { return json.NewEncoder(w).Encode(st) })
}

// loadState reads a state saved by --save-state.
func loadState(path string) (*identify.State, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("identify: %w", err)
	}
	defer func() { _ = fh.Close() }() // read-only: nothing to lose
	var st identify.State
	if err := json.NewDecoder(fh).Decode(&st); err != nil {
		return nil, fmt.Errorf("identify: %s: %w", path, err)
	}
	return &st, nil
}
