package identify_test

import (
	"fmt"

	"github.com/evalkit/evalkit/identify"
)

// Three gallery identities in 2-d and three probes; identity 9 is not
// enrolled, so its probe is a non-mated search.
func Example() {
	gallery, _ := identify.Float32Matrix([]float32{1, 0, 0, 1, -1, 0}, 3, 2)
	probes, _ := identify.Float32Matrix([]float32{0.8, 0.6, 0.6, 0.8, 0, -1}, 3, 2)
	s, _ := identify.NewState([]int64{1, 1, 9}, identify.Config{K: 3, GallerySize: 3})
	_ = s.Search(probes, identify.Shard{Features: gallery, IDs: []int64{1, 2, 3}}, identify.SearchOptions{})
	cmc, mated, _ := s.CMC([]int{1, 2})
	for _, c := range cmc {
		fmt.Printf("rank %d: %d of %d\n", c.Rank, c.Hits, mated)
	}
	for _, c := range s.Candidates(1) {
		fmt.Printf("probe 1 candidate: gallery row %d, score %.2f\n", c.Index, c.Score)
	}
	open, _ := s.OpenSet([]float64{0, 1}, 1)
	for _, p := range open.Points {
		fmt.Printf("FPIR %v: threshold %v, TPIR %v\n", p.TargetFPIR, p.Threshold, p.TPIR)
	}
	// Output:
	// rank 1: 1 of 2
	// rank 2: 2 of 2
	// probe 1 candidate: gallery row 1, score 0.80
	// probe 1 candidate: gallery row 0, score 0.60
	// probe 1 candidate: gallery row 2, score -0.60
	// FPIR 0: threshold 0, TPIR 0.5
	// FPIR 1: threshold -Inf, TPIR 0.5
}
