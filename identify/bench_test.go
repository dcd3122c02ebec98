package identify

import (
	"math/rand/v2"
	"testing"
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

// BenchmarkScanTopK is the selection alone: one 2048-score row offered to a
// full top-10.
func BenchmarkScanTopK(b *testing.B) {
	s, _ := NewState([]int64{1}, Config{K: 10})
	row := make([]float32, 2048)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range row {
		row[i] = float32(r.NormFloat64())
	}
	scanTopK(s, 0, row, 0)
	b.SetBytes(int64(len(row) * 4))
	b.ReportAllocs()
	for b.Loop() {
		scanTopK(s, 0, row, 0)
	}
}
