package identify

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/evalkit/evalkit/internal/blas"
)

// Shard is a contiguous part of the gallery or of the distractors: its
// features and, for gallery rows, their identities. Row j has the global
// index Offset+j; gallery rows lie below Config.GallerySize, distractors
// at or above it.
type Shard struct {
	Features Matrix
	// IDs are the identities of gallery rows (nil for distractors).
	IDs []int64
	// Offset is the global index of row 0.
	Offset int64
}

// SearchOptions tunes a search; the zero value uses gonum's pure-Go BLAS
// on every core. None of the fields changes the result.
type SearchOptions struct {
	// Backend computes the similarity blocks (nil: blas.Gonum).
	Backend blas.Backend
	// Threads is the number of goroutines (0: GOMAXPROCS).
	Threads int
	// ProbeBlock and GalleryBlock are the block shape: each goroutine
	// holds one ProbeBlock × GalleryBlock block of scores at a time
	// (0: 1024 and 4096; rounded up to multiples of 16 and 64).
	ProbeBlock, GalleryBlock int
	// Float64GEMM searches float64 features with float64 GEMM throughout.
	// By default a float64 search of the gallery (without
	// Config.NonMatedTop) runs float32 GEMM for candidates and rescores
	// them exactly in float64 (see searchRefined): the same result, about
	// twice as fast.
	Float64GEMM bool
	// Progress, when set, is called (from one goroutine at a time) with the
	// number of scores computed so far and the total.
	Progress func(done, total int64)
}

// Block sizes are rounded up to multiples of these.
const (
	minProbeBlock   = 16
	minGalleryBlock = 64
	minBlockMACs    = 1 << 20
)

func roundUp(n, m int) int { return (n + m - 1) / m * m }

// evenBlock splits n rows into as many blocks of at most size as needed and
// returns the common block size, rounded up to a multiple of unit.
func evenBlock(n, size, unit int) int {
	if n <= 0 {
		return size
	}
	blocks := (n + size - 1) / size
	return roundUp((n+blocks-1)/blocks, unit)
}

func (o SearchOptions) withDefaults() SearchOptions {
	if o.Backend == nil {
		o.Backend = blas.Gonum{}
	}
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	if o.ProbeBlock <= 0 {
		o.ProbeBlock = 1024
	}
	if o.GalleryBlock <= 0 {
		o.GalleryBlock = 4096
	}
	// Whole multiples of BLAS register tiles: a product of 1 × n or m × 1
	// goes through different kernels (gemv, small-matrix paths) that sum in
	// another order.
	o.ProbeBlock = roundUp(o.ProbeBlock, minProbeBlock)
	o.GalleryBlock = roundUp(o.GalleryBlock, minGalleryBlock)
	return o
}

// forDim grows the gallery block until a block product has more than
// 2²⁰ multiply-adds: OpenBLAS (0.3.16 on, Skylake-X and Cooper Lake
// kernels) sends products of at most 10⁶ to small-matrix kernels, which
// sum in another order than its large-matrix kernels.
func (o SearchOptions) forDim(d int) SearchOptions {
	for o.ProbeBlock*o.GalleryBlock*d <= minBlockMACs {
		o.GalleryBlock += minGalleryBlock
	}
	return o
}

// Search scores every probe (rows of probes, one per probe of the state)
// against every row of shard by inner product (cosine similarity for
// L2-normalised features) and adds the results to s. It computes one
// block of probes × gallery rows at a time with the BLAS backend and
// selects from it at once, on every core, so memory beyond the inputs is
// the state plus one block per goroutine. Probes and shard must have the
// same precision (float32 or float64), dimension and finite values.
func (s *State) Search(probes Matrix, shard Shard, o SearchOptions) error {
	o = o.withDefaults()
	if err := s.checkSearch(probes, shard); err != nil {
		return err
	}
	s.dim = probes.Cols
	if probes.Is64() && !o.Float64GEMM && s.cfg.NonMatedTop == 0 && shard.Offset < s.cfg.GallerySize && shard.Features.Rows > 0 {
		return s.searchRefined(probes, shard, o) // checks finiteness as it converts
	}
	if err := probes.checkFinite("probe", o.Threads); err != nil {
		return err
	}
	if err := shard.Features.checkFinite("gallery", o.Threads); err != nil {
		return err
	}
	return s.search(probes, shard, o)
}

// search is Search on checked inputs.
func (s *State) search(probes Matrix, shard Shard, o SearchOptions) error {
	// Even blocks: a 1772-row gallery is one block of 1792 columns, not a
	// 2048-column block of which 13 % is padding.
	o.ProbeBlock = evenBlock(probes.Rows, o.ProbeBlock, minProbeBlock)
	o.GalleryBlock = evenBlock(shard.Features.Rows, o.GalleryBlock, minGalleryBlock)
	o = o.forDim(probes.Cols)
	g := shard.Features.Rows
	if g == 0 || probes.Rows == 0 {
		return nil
	}
	pBlocks := (probes.Rows + o.ProbeBlock - 1) / o.ProbeBlock
	gBlocks := (g + o.GalleryBlock - 1) / o.GalleryBlock
	parts := 1
	if pBlocks < 2*o.Threads {
		parts = min(o.Threads, gBlocks)
	}
	prog := newProgress(o.Progress, int64(probes.Rows)*int64(g))
	if ob, ok := o.Backend.(*blas.OpenBLAS); ok && o.Threads > 1 {
		// the goroutines are the parallelism: one OpenBLAS thread each
		defer ob.SetThreads(ob.SetThreads(1))
	}
	if parts == 1 {
		s.searchRange(probes, shard, 0, g, o, o.Threads, prog)
	} else {
		// Few probes: split the gallery (at block boundaries, so the blocks
		// are the same) among the goroutines and merge their states.
		subs := make([]*State, parts)
		var wg sync.WaitGroup
		for i := range parts {
			lo := i * gBlocks / parts * o.GalleryBlock
			hi := min((i+1)*gBlocks/parts*o.GalleryBlock, g)
			subs[i] = s.emptyLike()
			wg.Go(func() { subs[i].searchRange(probes, shard, lo, hi, o, 1, prog) })
		}
		wg.Wait()
		for _, sub := range subs {
			if err := s.Merge(sub); err != nil {
				return err
			}
		}
		return nil
	}
	return nil
}

func (s *State) checkSearch(probes Matrix, shard Shard) error {
	f := shard.Features
	if probes.Rows != len(s.probeIDs) {
		return fmt.Errorf("identify: %d probe rows but the state has %d probes", probes.Rows, len(s.probeIDs))
	}
	if probes.Cols != f.Cols {
		return fmt.Errorf("identify: probes have dimension %d, gallery %d", probes.Cols, f.Cols)
	}
	if s.dim != 0 && probes.Cols != s.dim {
		return fmt.Errorf("identify: probes have dimension %d, the state's earlier searches %d", probes.Cols, s.dim)
	}
	if probes.Is64() != f.Is64() {
		return fmt.Errorf("identify: probes are %s, gallery %s; convert one (Matrix.To64)", precision(probes), precision(f))
	}
	end := shard.Offset + int64(f.Rows)
	switch {
	case shard.Offset < 0:
		return fmt.Errorf("identify: shard offset %d is negative", shard.Offset)
	case shard.Offset >= s.cfg.GallerySize && shard.IDs != nil:
		return fmt.Errorf("identify: distractor shard (offset %d ≥ gallery size %d) must not have identities", shard.Offset, s.cfg.GallerySize)
	case shard.Offset < s.cfg.GallerySize && end > s.cfg.GallerySize:
		return fmt.Errorf("identify: gallery shard rows %d…%d reach past the gallery size %d", shard.Offset, end-1, s.cfg.GallerySize)
	case shard.Offset < s.cfg.GallerySize && len(shard.IDs) != f.Rows:
		return fmt.Errorf("identify: gallery shard has %d rows but %d identities", f.Rows, len(shard.IDs))
	}
	return nil
}

func precision(m Matrix) string {
	if m.Is64() {
		return "float64"
	}
	return "float32"
}

// progress reports computed scores to a callback, one call at a time.
type progress struct {
	mu    sync.Mutex
	fn    func(done, total int64)
	done  atomic.Int64
	total int64
}

func newProgress(fn func(done, total int64), total int64) *progress {
	return &progress{fn: fn, total: total}
}

func (p *progress) add(n int64) {
	d := p.done.Add(n)
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	p.fn(d, p.total)
	p.mu.Unlock()
}

// searchRange searches shard rows [lo, hi) with threads goroutines, each
// taking whole probe blocks.
func (s *State) searchRange(probes Matrix, shard Shard, lo, hi int, o SearchOptions, threads int, prog *progress) {
	mates := s.mateRows(shard)
	pBlocks := (probes.Rows + o.ProbeBlock - 1) / o.ProbeBlock
	var next atomic.Int64
	tops := make([]topScores, threads)
	nonMated := make([]int64, threads)
	var wg sync.WaitGroup
	for w := range min(threads, pBlocks) {
		tops[w] = topScores{m: s.cfg.NonMatedTop}
		wg.Go(func() {
			sc := &scanner{s: s, shard: shard, mates: mates, top: &tops[w], pb: o.ProbeBlock, gb: o.GalleryBlock}
			if probes.Is64() {
				sc.buf64 = newBlockBuf[float64](o.ProbeBlock, o.GalleryBlock, probes.Cols)
			} else {
				sc.buf32 = newBlockBuf[float32](o.ProbeBlock, o.GalleryBlock, probes.Cols)
			}
			for {
				b := int(next.Add(1) - 1)
				if b >= pBlocks {
					break
				}
				p0 := b * o.ProbeBlock
				p1 := min(p0+o.ProbeBlock, probes.Rows)
				for j0 := lo; j0 < hi; j0 += o.GalleryBlock {
					j1 := min(j0+o.GalleryBlock, hi)
					if probes.Is64() {
						scanBlock(sc, sc.buf64, probes.F64, shard.Features.F64, o.Backend.DgemmNT, probes.Cols, p0, p1, j0, j1)
					} else {
						scanBlock(sc, sc.buf32, probes.F32, shard.Features.F32, o.Backend.SgemmNT, probes.Cols, p0, p1, j0, j1)
					}
					prog.add(int64(p1-p0) * int64(j1-j0))
				}
			}
			nonMated[w] = sc.nonMated
		})
	}
	wg.Wait()
	for w := range tops {
		for _, v := range tops[w].h {
			s.top.push(v)
		}
		s.nonMated += nonMated[w]
	}
	if shard.Offset < s.cfg.GallerySize {
		s.gallerySeen += int64(hi - lo)
	} else {
		s.distractorsSeen += int64(hi - lo)
	}
}

// mateRows returns, per probe, the shard rows of its identity (nil for
// distractor shards and for probes without mates here). Only rows whose
// identity is a probe's are recorded, so a million-row gallery costs a
// pass over its identities, not a map of them.
func (s *State) mateRows(shard Shard) [][]int32 {
	if shard.IDs == nil {
		return nil
	}
	rows := make(map[int64][]int32, len(s.probeIDs))
	for _, id := range s.probeIDs {
		rows[id] = nil
	}
	for j, id := range shard.IDs {
		if r, ok := rows[id]; ok {
			rows[id] = append(r, int32(j))
		}
	}
	out := make([][]int32, len(s.probeIDs))
	for p, id := range s.probeIDs {
		out[p] = rows[id]
	}
	return out
}

// scanner is one goroutine's selection state.
type scanner struct {
	s        *State
	shard    Shard
	mates    [][]int32
	top      *topScores
	nonMated int64
	pb, gb   int
	buf32    *blockBuf[float32]
	buf64    *blockBuf[float64]
	idx      []int32 // scanTopK's scratch
}

// blockBuf is one goroutine's block of scores and the zero-padded copies
// of a partial last block of probes or gallery rows: every product has the
// full ProbeBlock × GalleryBlock shape, so a BLAS whose summation order
// depends on the shape of the call (small-matrix kernels, edge kernels)
// computes each score the same way wherever it lies.
type blockBuf[T float32 | float64] struct {
	tile, a, b []T
}

func newBlockBuf[T float32 | float64](pb, gb, d int) *blockBuf[T] {
	return &blockBuf[T]{tile: make([]T, pb*gb), a: make([]T, pb*d), b: make([]T, gb*d)}
}

type gemmNT[T float32 | float64] func(m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int)

// scanBlock computes the scores of probes [p0, p1) against shard rows
// [j0, j1) into tile and selects from them.
func scanBlock[T float32 | float64](sc *scanner, buf *blockBuf[T], probes, gallery []T, gemm gemmNT[T], d, p0, p1, j0, j1 int) {
	m, n := p1-p0, j1-j0
	a, b := probes[p0*d:p1*d], gallery[j0*d:j1*d]
	if m < sc.pb {
		copy(buf.a, a)
		clear(buf.a[len(a):])
		a = buf.a
	}
	if n < sc.gb {
		copy(buf.b, b)
		clear(buf.b[len(b):])
		b = buf.b
	}
	gemm(sc.pb, sc.gb, d, a, d, b, d, buf.tile, sc.gb)
	for p := p0; p < p1; p++ {
		scanRow(sc, p, buf.tile[(p-p0)*sc.gb:(p-p0)*sc.gb+n], sc.shard.Offset+int64(j0), j0)
	}
}
