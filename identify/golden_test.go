package identify

import (
	"bytes"
	"math"
	"strconv"
	"testing"
)

// TestIJB1NGolden compares ijb_1n.py evaluation()'s printed lines, from the
// numpy reproduction in gen_identify.py, with IJB1N's.
func TestIJB1NGolden(t *testing.T) {
	g := loadGolden(t)
	gal, gids := loadMatrix(t, "lib_gallery.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes.npy"), loadIDs(t, "lib_probe_ids.npy")
	for _, b := range testBackends(t) {
		t.Run(b.Name(), func(t *testing.T) {
			s := search(t, pr, pids, gal, gids, nil, Config{K: 10, NonMatedTop: 40}, SearchOptions{Backend: b})
			r, err := s.IJB1N(IJB1NFARs, gal.Cols)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := r.WriteLines(&buf); err != nil {
				t.Fatal(err)
			}
			if buf.String() != g.IJB1N {
				t.Errorf("lines:\n%s\nwant:\n%s", buf.String(), g.IJB1N)
			}
		})
	}
}

// TestIJBEvalsGolden compares ijb_evals.py evaluation_1N() on G1 and G2.
func TestIJBEvalsGolden(t *testing.T) {
	g := loadGolden(t)
	gal, gids := loadMatrix(t, "lib_gallery.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes.npy"), loadIDs(t, "lib_probe_ids.npy")
	fars, shown := IJBEvalsFARs()
	if len(fars) != len(g.IJBEvalsFARs) {
		t.Fatalf("%d FARs, want %d", len(fars), len(g.IJBEvalsFARs))
	}
	for i := range fars {
		if fars[i] != g.IJBEvalsFARs[i] {
			t.Fatalf("FAR %d = %v, numpy %v", i, fars[i], g.IJBEvalsFARs[i])
		}
	}
	if len(shown) != len(g.IJBEvalsShown) {
		t.Fatalf("shown %v, want %v", shown, g.IJBEvalsShown)
	}
	for _, b := range testBackends(t) {
		for _, c := range []struct {
			name   string
			lo, hi int
			want   string
			top    []int
			th, tp []float64
		}{
			{"g1", 0, 30, g.IJBEvalsG1.Lines, g.IJBEvalsG1.Top, g.IJBEvalsG1.Thresholds, g.IJBEvalsG1.TPIRs},
			{"g2", 30, 60, g.IJBEvalsG2.Lines, g.IJBEvalsG2.Top, g.IJBEvalsG2.Thresholds, g.IJBEvalsG2.TPIRs},
		} {
			t.Run(b.Name()+"/"+c.name, func(t *testing.T) {
				s := search(t, pr, pids, gal.Slice(c.lo, c.hi), gids[c.lo:c.hi], nil, Config{K: 10}, SearchOptions{Backend: b})
				r, err := s.IJBEvals(fars, gal.Cols)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := r.WriteLines(&buf); err != nil {
					t.Fatal(err)
				}
				if buf.String() != c.want {
					t.Errorf("lines:\n%s\nwant:\n%s", buf.String(), c.want)
				}
				if r.Top1 != c.top[0] || r.Top5 != c.top[1] || r.Top10 != c.top[2] {
					t.Errorf("top counts %d %d %d, want %v", r.Top1, r.Top5, r.Top10, c.top)
				}
				for i := range fars {
					if math.Abs(r.Thresholds[i]-c.th[i]) > 1e-12 || r.TPIRs[i] != c.tp[i] {
						t.Errorf("FAR %v: threshold %v TPIR %v, want %v %v", fars[i], r.Thresholds[i], r.TPIRs[i], c.th[i], c.tp[i])
					}
				}
			})
		}
	}
}

// TestNISTGolden compares CMC and TPIR@FPIR on float32 features with a
// float64 brute force.
func TestNISTGolden(t *testing.T) {
	g := loadGolden(t)
	gal, gids := loadMatrix(t, "lib_gallery32.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes32.npy"), loadIDs(t, "lib_probe_ids.npy")
	fpirs := []float64{0, 0.01, 0.05, 0.1, 0.3, 1}
	for _, b := range testBackends(t) {
		t.Run(b.Name(), func(t *testing.T) {
			s := search(t, pr, pids, gal.Slice(0, 30), gids[:30], nil, Config{K: 20}, SearchOptions{Backend: b})
			cmc, mated, err := s.CMC([]int{1, 2, 5, 10, 20})
			if err != nil {
				t.Fatal(err)
			}
			if mated != g.NISTG1.Mated {
				t.Errorf("mated %d, want %d", mated, g.NISTG1.Mated)
			}
			for i, c := range cmc {
				if c.Rate != g.NISTG1.CMC[i] {
					t.Errorf("CMC@%d = %v, want %v", c.Rank, c.Rate, g.NISTG1.CMC[i])
				}
			}
			for _, rank := range []int{1, 5} {
				os, err := s.OpenSet(fpirs, rank)
				if err != nil {
					t.Fatal(err)
				}
				want := g.NISTG1.Open[strconv.Itoa(rank)]
				for i, p := range os.Points {
					w := want[i]
					wt := math.Inf(-1)
					if w.Threshold != nil {
						wt = *w.Threshold
					}
					if !(p.Threshold == wt || math.Abs(p.Threshold-wt) < 1e-6) || p.FPIR != w.FPIR || p.TPIR != w.TPIR {
						t.Errorf("rank %d FPIR %v: threshold %v fpir %v tpir %v, want %v %v %v", rank, p.TargetFPIR, p.Threshold, p.FPIR, p.TPIR, wt, w.FPIR, w.TPIR)
					}
				}
			}
		})
	}
}

// TestMegaFaceGolden compares rank-1 against distractor counts with a
// float64 brute force.
func TestMegaFaceGolden(t *testing.T) {
	g := loadGolden(t)
	gal, gids := loadMatrix(t, "lib_gallery32.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes32.npy"), loadIDs(t, "lib_probe_ids.npy")
	d := loadMatrix(t, "lib_distractors.npy")
	for _, b := range testBackends(t) {
		t.Run(b.Name(), func(t *testing.T) {
			s := search(t, pr, pids, gal, gids, &d, Config{K: 5, Checkpoints: g.MegaFaceCheckpoints}, SearchOptions{Backend: b, GalleryBlock: 64})
			pts, err := s.Rank1ByDistractors()
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range pts {
				if p.Rank1 != g.MegaFaceRank1[i] {
					t.Errorf("%d distractors: rank-1 %v, want %v", p.Distractors, p.Rank1, g.MegaFaceRank1[i])
				}
			}
		})
	}
}

// TestPipeTable checks tabulate's pipe format on a hand-worked table:
// decimal points aligned within a column ("1" has none and is padded by
// five spaces to line up under "0.0001"), each column at least two wider
// than its header (g1_tpir: 9, so the 8-character cells get one more
// space on the left).
func TestPipeTable(t *testing.T) {
	got := PipeTable([]string{"far", "g1_tpir"}, [][]float64{{0.0001, 0.1, 1}, {0.5, 0.123456789, 1e-05}})
	want := "|    far |   g1_tpir |\n" +
		"|-------:|----------:|\n" +
		"| 0.0001 |  0.5      |\n" +
		"| 0.1    |  0.123457 |\n" +
		"| 1      |  1e-05    |\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
