package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/evalkit/evalkit/identify"
	"github.com/evalkit/evalkit/internal/blas"
)

// searchSetup returns the search configuration of the flags for probes
// probes and distractors distractors (GallerySize is set by the search),
// with the FARs and the sorted CMC ranks to report.
func searchSetup(f identifyFlags, fpirChanged bool, probes, distractors int) (identify.Config, []float64, []int) {
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
	cfg := identify.Config{K: k, Checkpoints: identify.DistractorCheckpoints(distractors)}
	if f.rule != "nist" {
		cfg.K = 10 // the insightface rules print top-1, top-5 and top-10
	}
	if f.rule == "ijb_1n" {
		for _, far := range fars {
			cfg.NonMatedTop = max(cfg.NonMatedTop, int(math.Ceil(float64(probes)*far)))
		}
	}
	return cfg, fars, ranks
}

// runSearch runs one whole search with the --blas backend, showing a
// progress bar on a terminal for a search of more than 2²⁸ scores.
func runSearch(stderr io.Writer, in identify.SearchInput, cfg identify.Config, backend string, threads int) (*identify.Run, error) {
	opts, finish, err := searchOptions(stderr, backend, threads)
	if err != nil {
		return nil, err
	}
	run, err := identify.RunSearch(in, cfg, opts)
	finish()
	return run, err
}

// searchOptions returns the search options of the --blas and --threads
// flags, with a progress bar on stderr when it is a terminal for a search
// of more than 2²⁸ scores, and the function that ends the bar.
func searchOptions(stderr io.Writer, backend string, threads int) (identify.SearchOptions, func(), error) {
	b, err := blas.Select(backend)
	if err != nil {
		return identify.SearchOptions{}, nil, err
	}
	opts := identify.SearchOptions{Backend: b, Threads: threads}
	var bar *progressbar.ProgressBar
	finish := func() {
		if bar != nil {
			_ = bar.Finish()
		}
	}
	if !isTerminal(stderr) {
		return opts, finish, nil
	}
	opts.Progress = func(done, total int64) {
		if bar == nil && total > 1<<28 {
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("searching"),
				progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		if bar != nil {
			_ = bar.Set64(done)
		}
	}
	return opts, finish, nil
}

// loadProbes reads --probes and --probe-ids.
func loadProbes(f identifyFlags) (identify.Matrix, []int64, error) {
	for _, req := range []struct{ v, name string }{{f.probes, "--probes"}, {f.probeIDs, "--probe-ids"}} {
		if req.v == "" {
			return identify.Matrix{}, nil, fmt.Errorf("identify: %s is required", req.name)
		}
	}
	probes, err := loadFeatures(f.probes, "probes")
	if err != nil {
		return identify.Matrix{}, nil, err
	}
	pids, err := loadIDs(f.probeIDs, "probe ids", probes.Rows)
	if err != nil {
		return identify.Matrix{}, nil, err
	}
	return probes, pids, nil
}
