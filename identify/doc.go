// Package identify is 1:N face identification: probes searched against a
// gallery (and optional distractors) by inner product, at BLAS speed and in
// bounded memory, with the measures users report:
//
//   - closed-set CMC, the identification rate at rank 1…K (State.CMC), and
//     each probe's mate rank and top-K candidates (State.MateRank,
//     State.Candidates);
//   - open-set TPIR and FNIR at FPIR by NIST's definitions, with the
//     threshold at each FPIR and the DET curve (State.OpenSet);
//   - insightface's two IJB-B/C 1:N evaluations reproduced exactly, quirks
//     included: ijb_1n.py's evaluation() (State.IJB1N) and ijb_evals.py's
//     evaluation_1N() (State.IJBEvals, NewIJBEvalsMean);
//   - MegaFace-style rank-1 as distractors join the gallery
//     (State.Rank1ByDistractors).
//
// The engine computes one block of probes × gallery rows at a time with a
// BLAS (gonum's pure Go by default, OpenBLAS when asked) and selects from it
// at once on every core: memory is the inputs, O(probes·K) of state and one
// block per goroutine, never the whole similarity matrix. Ties rank by
// gallery index (Candidate.Before), and every block is computed with the
// same shape, so results do not depend on block sizes, thread counts or
// sharding. A State covers the probes; states of disjoint gallery shards,
// searched anywhere and carried as JSON, Merge into exactly the state of
// one search over the whole gallery.
//
//	s, _ := identify.NewState(probeIDs, identify.Config{K: 20, GallerySize: int64(gallery.Rows)})
//	_ = s.Search(probes, identify.Shard{Features: gallery, IDs: galleryIDs}, identify.SearchOptions{})
//	cmc, mated, _ := s.CMC([]int{1, 5, 10, 20})
//	open, _ := s.OpenSet([]float64{0.001, 0.01, 0.1}, 1)
package identify
