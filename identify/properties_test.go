package identify

import (
	"encoding/json"

	"github.com/evalkit/evalkit/internal/blas"
	"math"
	"strings"
	"testing"
)

// TestCMCProperties: CMC is non-decreasing in rank and reaches 1 at the
// gallery size for a closed set.
func TestCMCProperties(t *testing.T) {
	gal, gids := loadMatrix(t, "lib_gallery32.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes32.npy"), loadIDs(t, "lib_probe_ids.npy")
	s := search(t, pr, pids, gal, gids, nil, Config{K: gal.Rows}, SearchOptions{})
	if err := s.ClosedSet(); err != nil {
		t.Fatal(err)
	}
	ranks := make([]int, gal.Rows+5)
	for i := range ranks {
		ranks[i] = i + 1
	}
	cmc, _, err := s.CMC(ranks)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(cmc); i++ {
		if cmc[i].Rate < cmc[i-1].Rate {
			t.Fatalf("CMC decreases from rank %d (%v) to %d (%v)", cmc[i-1].Rank, cmc[i-1].Rate, cmc[i].Rank, cmc[i].Rate)
		}
	}
	for _, c := range cmc[gal.Rows-1:] {
		if c.Rate != 1 {
			t.Fatalf("closed-set CMC at rank %d ≥ gallery size = %v, want 1", c.Rank, c.Rate)
		}
	}
	for p := range s.NumProbes() {
		if r := s.MateRank(p); r < 1 {
			t.Fatalf("probe %d: mate rank %d with K = gallery size", p, r)
		}
	}
	if _, _, err := search(t, pr, pids, gal, gids, nil, Config{K: 5}, SearchOptions{}).CMC([]int{6}); err == nil {
		t.Error("CMC at a rank beyond K succeeded")
	}
}

// TestBlocksAndThreadsChangeNothing searches with many block shapes and
// thread counts, on every backend, and compares the whole state.
func TestBlocksAndThreadsChangeNothing(t *testing.T) {
	gal, gids := loadMatrix(t, "lib_gallery32.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes32.npy"), loadIDs(t, "lib_probe_ids.npy")
	d := loadMatrix(t, "lib_distractors.npy")
	cfg := Config{K: 7, Checkpoints: []int64{10, 100, 1000}, NonMatedTop: 50}
	for _, b := range testBackends(t) {
		want := mustJSON(t, search(t, pr, pids, gal, gids, &d, cfg, SearchOptions{Backend: b}))
		for _, o := range []SearchOptions{
			{ProbeBlock: 1, GalleryBlock: 1, Threads: 1},
			{ProbeBlock: 7, GalleryBlock: 5, Threads: 3},
			{ProbeBlock: 400, GalleryBlock: 64, Threads: 2},
			{ProbeBlock: 1000, GalleryBlock: 333, Threads: 4}, // one probe block: the gallery is split
			{ProbeBlock: 13, GalleryBlock: 4096, Threads: 1},
		} {
			o.Backend = b
			if got := mustJSON(t, search(t, pr, pids, gal, gids, &d, cfg, o)); got != want {
				t.Errorf("%s with blocks %d×%d on %d threads: the state differs", b.Name(), o.ProbeBlock, o.GalleryBlock, o.Threads)
			}
		}
	}
}

// TestShardsMergeToWhole searches the gallery and distractors in uneven
// shards, in scrambled order, through JSON, and merges.
func TestShardsMergeToWhole(t *testing.T) {
	gal, gids := loadMatrix(t, "lib_gallery32.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes32.npy"), loadIDs(t, "lib_probe_ids.npy")
	d := loadMatrix(t, "lib_distractors.npy")
	cfg := Config{K: 10, Checkpoints: []int64{10, 100, 1000}, NonMatedTop: 40, GallerySize: int64(gal.Rows)}
	for _, b := range testBackends(t) {
		t.Run(b.Name(), func(t *testing.T) { testShardsMerge(t, b, pr, pids, gal, gids, d, cfg) })
	}
}

func testShardsMerge(t *testing.T, b blas.Backend, pr Matrix, pids []int64, gal Matrix, gids []int64, d Matrix, cfg Config) {
	want := mustJSON(t, search(t, pr, pids, gal, gids, &d, cfg, SearchOptions{Backend: b}))
	type part struct {
		lo, hi int
		distr  bool
	}
	parts := []part{{700, 1500, true}, {17, 60, false}, {0, 9, true}, {0, 17, false}, {9, 700, true}}
	var merged *State
	var states []*State
	for _, p := range parts {
		s, err := NewState(pids, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var sh Shard
		if p.distr {
			sh = Shard{Features: d.Slice(p.lo, p.hi), Offset: int64(gal.Rows + p.lo)}
		} else {
			sh = Shard{Features: gal.Slice(p.lo, p.hi), IDs: gids[p.lo:p.hi], Offset: int64(p.lo)}
		}
		if err := s.Search(pr, sh, SearchOptions{Backend: b, GalleryBlock: 100}); err != nil {
			t.Fatal(err)
		}
		// each shard travels as JSON, as between machines
		var back State
		if err := json.Unmarshal([]byte(mustJSON(t, s)), &back); err != nil {
			t.Fatal(err)
		}
		var again State // Merge changes merged: RunFromStates below gets copies
		if err := json.Unmarshal([]byte(mustJSON(t, s)), &again); err != nil {
			t.Fatal(err)
		}
		states = append(states, &again)
		if merged == nil {
			merged = &back
		} else if err := merged.Merge(&back); err != nil {
			t.Fatal(err)
		}
	}
	if got := mustJSON(t, merged); got != want {
		t.Error("merged shards differ from one search over the whole gallery")
	}
	// overlapping shards are refused
	if err := merged.Merge(merged); err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("merging a state with itself: %v", err)
	}
	// RunFromStates: the same merge, complete only with every shard
	run, err := RunFromStates(states, int64(d.Rows))
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, run.State); got != want || run.Dim != pr.Cols || run.Merged != len(parts) || run.Distractors != d.Rows {
		t.Errorf("RunFromStates: dim %d, %d merged, %d distractors; state equal to one search: %v", run.Dim, run.Merged, run.Distractors, got == want)
	}
	if _, err := RunFromStates(states[1:], int64(d.Rows)); err == nil || !strings.Contains(err.Error(), "searched 60 of 60 gallery rows and 700 of 1500 distractors") {
		t.Errorf("a shard missing: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	gal, gids := loadMatrix(t, "lib_gallery.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes.npy"), loadIDs(t, "lib_probe_ids.npy")
	newState := func(cfg Config) *State {
		cfg.GallerySize = int64(gal.Rows)
		s, err := NewState(pids, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	wantErr := func(name string, err error, frag string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("%s: error %v, want one containing %q", name, err, frag)
		}
	}
	t.Run("probe not in gallery", func(t *testing.T) {
		s := search(t, pr, pids, gal.Slice(0, 30), gids[:30], nil, Config{K: 10, NonMatedTop: 40}, SearchOptions{})
		wantErr("ClosedSet", s.ClosedSet(), "has no mate")
		_, err := s.IJB1N(IJB1NFARs, 32)
		wantErr("IJB1N", err, "exactly one")
	})
	t.Run("duplicate gallery identities", func(t *testing.T) {
		dup := append([]int64(nil), gids...)
		dup[5] = dup[4]
		s := search(t, pr, pids, gal, dup, nil, Config{K: 10, NonMatedTop: 40}, SearchOptions{})
		_, err := s.IJB1N(IJB1NFARs, 32)
		wantErr("IJB1N", err, "exactly one")
		_, err = s.IJBEvals([]float64{0.1}, 32)
		wantErr("IJBEvals", err, "at most one")
		if _, _, err := s.CMC([]int{1}); err != nil {
			t.Errorf("NIST CMC with two gallery entries of one identity: %v", err)
		}
	})
	t.Run("dimension mismatch", func(t *testing.T) {
		err := newState(Config{K: 1}).Search(pr, Shard{Features: Matrix{Rows: 1, Cols: 3, F64: make([]float64, 3)}, IDs: []int64{1}}, SearchOptions{})
		wantErr("Search", err, "dimension 32, gallery 3")
	})
	t.Run("NaN", func(t *testing.T) {
		bad := append([]float64(nil), gal.F64...)
		bad[70] = math.NaN()
		m, _ := Float64Matrix(bad, gal.Rows, gal.Cols)
		err := newState(Config{K: 1}).Search(pr, Shard{Features: m, IDs: gids}, SearchOptions{})
		wantErr("Search", err, "gallery row 2, column 6 is NaN")
	})
	t.Run("precision mismatch", func(t *testing.T) {
		g32 := loadMatrix(t, "lib_gallery32.npy")
		err := newState(Config{K: 1}).Search(pr, Shard{Features: g32, IDs: gids}, SearchOptions{})
		wantErr("Search", err, "float64, gallery float32")
	})
	t.Run("probe count", func(t *testing.T) {
		err := newState(Config{K: 1}).Search(pr.Slice(0, 3), Shard{Features: gal, IDs: gids}, SearchOptions{})
		wantErr("Search", err, "3 probe rows but the state has 400")
	})
	t.Run("distractors with identities", func(t *testing.T) {
		err := newState(Config{K: 1}).Search(pr, Shard{Features: gal, IDs: gids, Offset: int64(gal.Rows)}, SearchOptions{})
		wantErr("Search", err, "must not have identities")
	})
	t.Run("config", func(t *testing.T) {
		_, err := NewState(pids, Config{K: 0})
		wantErr("K", err, "K = 0")
		_, err = NewState(pids, Config{K: 1, Checkpoints: []int64{10, 10}})
		wantErr("checkpoints", err, "ascending")
	})
	t.Run("open set without non-mated", func(t *testing.T) {
		s := search(t, pr, pids, gal, gids, nil, Config{K: 1}, SearchOptions{})
		_, err := s.OpenSet([]float64{0.1}, 1)
		wantErr("OpenSet", err, "non-mated searches")
	})
}

// TestJSONRoundTrip: a state written and read back is the same state.
func TestJSONRoundTrip(t *testing.T) {
	gal, gids := loadMatrix(t, "lib_gallery32.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes32.npy"), loadIDs(t, "lib_probe_ids.npy")
	d := loadMatrix(t, "lib_distractors.npy")
	s := search(t, pr, pids, gal.Slice(0, 30), gids[:30], &d, Config{K: 3, Checkpoints: []int64{10, 20}, NonMatedTop: 9}, SearchOptions{})
	want := mustJSON(t, s)
	var back State
	if err := json.Unmarshal([]byte(want), &back); err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, &back); got != want {
		t.Error("JSON round trip changed the state")
	}
}

func FuzzStateJSON(f *testing.F) {
	f.Add([]byte(`{"k":2,"gallery_size":3,"probe_ids":[1],"candidates":[[[0,0.5],[2,0.25]]],"mate":[[0,0.5]],"mate_count":[1],"non_mate":[[2,0.25]],"non_mated":2,"gallery_searched":3}`))
	f.Add([]byte(`{"k":1,"probe_ids":[],"candidates":[],"mate":[],"mate_count":[],"non_mate":[]}`))
	f.Add([]byte(`{"k":1,"gallery_size":1,"probe_ids":[4],"candidates":[[[0,1]]],"mate":[[0,1]],"mate_count":[1],"non_mate":[null],"gallery_searched":1,"dim":8}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s State
		if err := json.Unmarshal(b, &s); err != nil {
			return
		}
		// a state that loads must write, merge and evaluate without panics
		out, err := json.Marshal(&s)
		if err != nil {
			t.Fatal(err)
		}
		var again State
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("re-reading %s: %v", out, err)
		}
		_, _ = RunFromStates([]*State{&again, &s}, 0)
		_ = again.Merge(&s)
		_, _, _ = s.CMC([]int{1})
		_, _ = s.OpenSet([]float64{0.5}, 1)
		_, _ = s.IJB1N([]float64{0.5}, 1)
		_, _ = s.IJBEvals([]float64{0.5}, 1)
		_, _ = s.Rank1ByDistractors()
	})
}
