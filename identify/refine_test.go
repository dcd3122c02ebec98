package identify

import (
	"math"
	"slices"
	"testing"
)

// bruteForce64 ranks every gallery row for every probe with dot64.
func bruteForce64(pr, gal Matrix) [][]Candidate {
	d := pr.Cols
	out := make([][]Candidate, pr.Rows)
	for p := range pr.Rows {
		for j := range gal.Rows {
			out[p] = append(out[p], Candidate{Index: int64(j), Score: dot64(pr.F64[p*d:(p+1)*d], gal.F64[j*d:(j+1)*d])})
		}
		slices.SortFunc(out[p], func(a, b Candidate) int {
			if a.Before(b) {
				return -1
			}
			return 1
		})
	}
	return out
}

// TestRefinedSearch: float32 candidates rescored in float64 give the
// float64 result, including on a gallery of exact duplicates (ties
// everywhere), where probes fall back to a full float64 row.
func TestRefinedSearch(t *testing.T) {
	gal, gids := loadMatrix(t, "lib_gallery.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes.npy"), loadIDs(t, "lib_probe_ids.npy")
	// 20 copies of 3 rows: more equal scores than the K+8 candidates the
	// float32 pass keeps, so the margin test fails and probes fall back
	dup := make([]float64, 0, 60*gal.Cols)
	dupIDs := make([]int64, 0, 60)
	for r := range 20 {
		dup = append(dup, gal.F64[:3*gal.Cols]...)
		for j := range 3 {
			dupIDs = append(dupIDs, gids[j]+int64(r)*100000)
		}
	}
	dupM, _ := Float64Matrix(dup, 60, gal.Cols)
	for _, c := range []struct {
		name string
		g    Matrix
		ids  []int64
	}{{"lib G1", gal.Slice(0, 30), gids[:30]}, {"duplicates", dupM, dupIDs}} {
		t.Run(c.name, func(t *testing.T) {
			const k = 3
			s := search(t, pr, pids, c.g, c.ids, nil, Config{K: k}, SearchOptions{})
			full := search(t, pr, pids, c.g, c.ids, nil, Config{K: k}, SearchOptions{Float64GEMM: true})
			want := bruteForce64(pr, c.g)
			for p := range pr.Rows {
				got := s.Candidates(p)
				if !slices.Equal(got, want[p][:k]) {
					t.Fatalf("probe %d: candidates %v, brute force %v", p, got, want[p][:k])
				}
				f := full.Candidates(p)
				for i := range got {
					if f[i].Index != got[i].Index || math.Abs(f[i].Score-got[i].Score) > 1e-12 {
						t.Fatalf("probe %d: refined %v, float64 GEMM %v", p, got, f)
					}
				}
				m1, n1, _ := s.Mate(p)
				m2, n2, _ := full.Mate(p)
				if m1.Index != m2.Index || n1 != n2 || math.Abs(m1.Score-m2.Score) > 1e-12 || s.NonMateMax(p).Index != full.NonMateMax(p).Index {
					t.Fatalf("probe %d: mate %v (%d) non-mate %v; float64 GEMM %v (%d) %v", p, m1, n1, s.NonMateMax(p), m2, n2, full.NonMateMax(p))
				}
			}
			if s.nonMated != full.nonMated || s.gallerySeen != full.gallerySeen {
				t.Errorf("counts %d %d, float64 GEMM %d %d", s.nonMated, s.gallerySeen, full.nonMated, full.gallerySeen)
			}
		})
	}
}

// TestRefinedInvariance: the refined float64 search gives the same state,
// bit for bit, on every backend, block shape, thread count and sharding.
func TestRefinedInvariance(t *testing.T) {
	gal, gids := loadMatrix(t, "lib_gallery.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes.npy"), loadIDs(t, "lib_probe_ids.npy")
	cfg := Config{K: 10, GallerySize: int64(gal.Rows)}
	want := mustJSON(t, search(t, pr, pids, gal, gids, nil, cfg, SearchOptions{}))
	for _, b := range testBackends(t) {
		for _, o := range []SearchOptions{{ProbeBlock: 16, GalleryBlock: 64, Threads: 3}, {ProbeBlock: 1000, Threads: 1}} {
			o.Backend = b
			if got := mustJSON(t, search(t, pr, pids, gal, gids, nil, cfg, o)); got != want {
				t.Errorf("%s, blocks %d×%d, %d threads: the state differs", b.Name(), o.ProbeBlock, o.GalleryBlock, o.Threads)
			}
		}
		var merged *State
		for _, r := range [][2]int{{41, 60}, {0, 13}, {13, 41}} {
			s, err := NewState(pids, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Search(pr, Shard{Features: gal.Slice(r[0], r[1]), IDs: gids[r[0]:r[1]], Offset: int64(r[0])}, SearchOptions{Backend: b}); err != nil {
				t.Fatal(err)
			}
			if merged == nil {
				merged = s
			} else if err := merged.Merge(s); err != nil {
				t.Fatal(err)
			}
		}
		if got := mustJSON(t, merged); got != want {
			t.Errorf("%s: merged shards differ from the whole", b.Name())
		}
	}
}
