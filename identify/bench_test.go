package identify

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

func benchData(np, ng, d int) (Matrix, Matrix, []int64, []int64) {
	r := rand.New(rand.NewPCG(5, 6))
	p, g := make([]float32, np*d), make([]float32, ng*d)
	for i := range p {
		p[i] = float32(r.NormFloat64())
	}
	for i := range g {
		g[i] = float32(r.NormFloat64())
	}
	pids, gids := make([]int64, np), make([]int64, ng)
	for i := range gids {
		gids[i] = int64(i)
	}
	for i := range pids {
		pids[i] = int64(i % ng)
	}
	pm, _ := Float32Matrix(p, np, d)
	gm, _ := Float32Matrix(g, ng, d)
	return pm, gm, pids, gids
}

// BenchmarkSearch is a top-10 search of 512 probes against 16,384 gallery
// rows of 512-d; compare with BenchmarkBareSgemm (the same products, the
// scores discarded) for the selection's share.
func BenchmarkSearch(b *testing.B) {
	for _, be := range testBackends(b) {
		b.Run(be.Name(), func(b *testing.B) {
			pm, gm, pids, gids := benchData(512, 16384, 512)
			b.SetBytes(int64(len(gm.F32) * 4))
			b.ReportAllocs()
			for b.Loop() {
				s, _ := NewState(pids, Config{K: 10, GallerySize: int64(gm.Rows)})
				if err := s.Search(pm, Shard{Features: gm, IDs: gids}, SearchOptions{Backend: be}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(2*512*16384*512*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkBareSgemm(b *testing.B) {
	for _, be := range testBackends(b) {
		b.Run(be.Name(), func(b *testing.B) {
			pm, gm, _, _ := benchData(512, 16384, 512)
			c := make([]float32, 512*4096)
			b.SetBytes(int64(len(gm.F32) * 4))
			b.ReportAllocs()
			for b.Loop() {
				for j := 0; j < gm.Rows; j += 4096 {
					be.SgemmNT(512, 4096, 512, pm.F32, 512, gm.F32[j*512:(j+4096)*512], 512, c, 4096)
				}
			}
			b.ReportMetric(2*512*16384*512*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkScanRow is the selection alone: one row of 4,096 scores (a
// gallery block's) folded into a probe whose top-10 is full, with a
// non-mated top list (ijb_1n's) and without.
func BenchmarkScanRow(b *testing.B) {
	b.Run("float32", func(b *testing.B) { benchScanRow[float32](b, 0) })
	b.Run("float64", func(b *testing.B) { benchScanRow[float64](b, 0) })
	b.Run("float32-nonmatedtop", func(b *testing.B) { benchScanRow[float32](b, 1000) })
	b.Run("float32-first-row", benchScanFirstRow)
}

// benchScanFirstRow is a probe's first row, as in a refined ijb_evals
// search (18 candidates from one row of 1,792 scores): every row fills an
// empty candidate list.
func benchScanFirstRow(b *testing.B) {
	s, _ := NewState([]int64{1}, Config{K: 18, GallerySize: 1792})
	sc := &scanner{s: s, top: &topScores{}}
	row := make([]float32, 1792)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range row {
		row[i] = float32(r.NormFloat64() / 20)
	}
	b.SetBytes(int64(4 * len(row)))
	b.ReportAllocs()
	for b.Loop() {
		s.n[0], s.nonMate[0] = 0, noCandidate
		scanRow(sc, 0, row, 0, 0)
	}
}

func benchScanRow[T float32 | float64](b *testing.B, top int) {
	s, _ := NewState([]int64{1}, Config{K: 10, GallerySize: 1 << 20, NonMatedTop: top})
	sc := &scanner{s: s, top: &topScores{m: top}}
	row := make([]T, 4096)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range row {
		row[i] = T(r.NormFloat64() / 20)
	}
	// fill the lists with higher scores: the row then holds no candidate,
	// as most rows do once a search is under way
	warm := make([]T, len(row))
	for j0 := 0; j0 < 64*len(row); j0 += len(row) {
		for i, v := range row {
			warm[i] = v + 0.5
		}
		scanRow(sc, 0, warm, int64(j0), j0)
	}
	b.SetBytes(int64(len(row)) * int64(unsafe.Sizeof(row[0])))
	b.ReportAllocs()
	for b.Loop() {
		scanRow(sc, 0, row, 1<<19, 1<<19)
	}
}
