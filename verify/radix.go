package verify

import (
	"math"
	"runtime"
	"slices"
	"sync/atomic"
	"unsafe"

	parallelfor "github.com/evalkit/evalkit/internal/parallel"
)

// sortDescending sorts a in descending order (NaN-free; +0 and -0 are
// equal and stay in any order — they are one threshold to the ROC).
//
// Scores are distributed by value: each goes to one of distBuckets buckets
// of about equal size, found from a sample's quantiles (equiDepth), by a
// function that does not increase with the score, so every bucket holds a
// contiguous range of the order. Digits of the float's bits split scores
// in [-1, 1] badly (their top bytes are nearly all alike) and made a radix
// sort permute the array about three times; value buckets split it evenly
// in one pass. From parallelSortMin scores on, every core counts and
// scatters a chunk into a second buffer (for half the scores; the other
// half into the first half of a, emptied by then), written once, and the
// cores then sort the buckets back into a (sortParallel); shorter slices are
// permuted in place (sortValues). Buckets that fit in the cache are
// sorted there (sortBucketInto).
func sortDescending(a []float64) {
	if len(a) < 512 {
		slices.SortFunc(a, func(x, y float64) int {
			switch {
			case x > y:
				return -1
			case x < y:
				return 1
			}
			return 0
		})
		return
	}
	if len(a) >= parallelSortMin {
		sortParallel(a, nil)
		return
	}
	var sc sortScratch
	sortValues(a, &sc, 0)
}

// bucketVisitor follows sortParallel's buckets: plan is called once with
// the bucket map and the buckets' bounds in the sorted slice, before any bucket is sorted; sorted is
// called by worker w (of workers) right after it sorted a[lo:hi], bucket b,
// while that bucket is still in the cache, with memory the sort no longer
// needs, free for the visitor to keep (it is not zeroed).
type bucketVisitor interface {
	plan(workers int, bm bucketMap, start []int)
	sorted(w, b, lo, hi int, free []float64)
}

// sortParallel is sortValues' first level for millions of scores, on all
// cores: each core counts a chunk's equi-depth buckets and scatters the
// chunk into a second buffer or the emptied first half of a (written once,
// in order within each bucket, instead of permuted in place with random
// swaps), then the cores take buckets in turn and sort each back into a
// at its place, calling v
// (when not nil) on each. It returns false, v not called, when the range
// cannot be split by value (see bucketScale) and a was sorted otherwise.
func sortParallel(a []float64, v bucketVisitor) bool {
	n := len(a)
	w := runtime.GOMAXPROCS(0)
	// The buckets' bounds come from the sample's range, not the scores':
	// scores beyond it go to the first or the last bucket (see
	// bucketMap.cell), which saves a pass over them all.
	var sc sortScratch
	nb := parallelBuckets(n)
	sample := sc.sample(a)
	hi, lo := valueRange(sample)
	bm, scalable := equiDepth(sample, hi, lo, nb, &sc)
	if !scalable {
		sortValues(a, &sc, 0)
		return false
	}
	// The first half of a, a[:m], is scattered into buf and the second into
	// a[:n-m], free by then: a buffer of half the scores' size, whose fresh
	// pages cost as much as the writes (see the bucket phase below).
	m := (n + 1) / 2
	halves := [2]struct{ at, n int }{{0, m}, {m, n - m}}
	counts := make([]int, 2*w*nb) // half h, chunk k, bucket b: counts[(h*w+k)*nb+b]
	for h, hf := range halves {
		_ = parallelfor.For(hf.n, w, func(k, lo, hi int) error {
			c := counts[(h*w+k)*nb : (h*w+k+1)*nb]
			for _, x := range a[hf.at+lo : hf.at+hi] {
				c[bm.bucket(x)]++
			}
			return nil
		})
	}
	// In each half, chunk k's scores of bucket b go after those of chunks
	// before it: counts becomes each chunk's offsets. Bucket b's scores are
	// buf[start1[b]:start1[b+1]] and a[start2[b]:start2[b+1]], and go to
	// a[start[b]:start[b+1]].
	start, start1, start2 := make([]int, nb+1), make([]int, nb+1), make([]int, nb+1)
	for h, st := range [2][]int{start1, start2} {
		sum := 0
		for b := range nb {
			st[b] = sum
			for k := range w {
				i := (h*w+k)*nb + b
				counts[i], sum = sum, sum+counts[i]
			}
		}
		st[nb] = sum
	}
	for b := range start {
		start[b] = start1[b] + start2[b]
	}
	if v != nil {
		v.plan(w, bm, start)
	}
	buf := make([]float64, m)
	for h, dst := range [2][]float64{buf, a[:n-m]} {
		hf := halves[h]
		_ = parallelfor.For(hf.n, w, func(k, lo, hi int) error {
			o := counts[(h*w+k)*nb : (h*w+k+1)*nb]
			for _, x := range a[hf.at+lo : hf.at+hi] {
				b := bm.bucket(x)
				dst[o[b]] = x
				o[b]++
			}
			return nil
		})
	}
	// The cores take the buckets from the last to the first, gather each
	// into a scratch and sort it from there into its place. A bucket's
	// place may hold the second-half scores of buckets after it (start2 of
	// a later bucket can lie below start of this one), never of buckets
	// before it (start2[b] <= start[b]); so it is written once every later
	// bucket has been gathered. Later buckets were taken earlier, and
	// gathering waits for nothing: no deadlock.
	gathered := make([]atomic.Bool, nb)
	var next atomic.Int64
	_ = parallelfor.For(w, w, func(k, _, _ int) error {
		var sc sortScratch
		var g []float64
		ready := nb // every bucket from ready on is gathered
		for i := int(next.Add(1) - 1); i < nb; i = int(next.Add(1) - 1) {
			b := nb - 1 - i
			lo, hi := start[b], start[b+1]
			if cap(g) < hi-lo {
				g = make([]float64, max(hi-lo, radixLSDMax))
			}
			g = g[:hi-lo]
			c := copy(g, a[start2[b]:start2[b+1]])
			copy(g[c:], buf[start1[b]:start1[b+1]])
			gathered[b].Store(true)
			for ready > b+1 {
				if gathered[ready-1].Load() {
					ready--
				} else {
					runtime.Gosched()
				}
			}
			if hi-lo <= radixLSDMax {
				sortBucketInto(a[lo:hi], g, &sc)
			} else {
				copy(a[lo:hi], g)
				sortValues(a[lo:hi], &sc, 1)
			}
			if v != nil {
				v.sorted(k, b, lo, hi, buf[start1[b]:start1[b+1]]) // gathered
			}
		}
		return nil
	})
	return true
}

// parallelBucket is the mean bucket size sortParallel aims at: half
// radixLSDMax, so that a bucket's share of the sample can stray far from
// its mean before the bucket misses the in-cache sort. (A variable so that
// tests can have many buckets without sorting tens of millions of scores.)
var parallelBucket = radixLSDMax / 2

// parallelBuckets returns the number of value buckets sortParallel
// splits n scores into: at least distBuckets, about parallelBucket scores
// each.
func parallelBuckets(n int) int {
	return min(maxBuckets, max(distBuckets, (n+parallelBucket-1)/parallelBucket))
}

// sortScratch holds the buffers sortBucket reuses, sized once.
type sortScratch struct {
	vals      []float64
	count     []int32
	keys      []uint64
	table     *[distCells]uint16 // cell → bucket
	cellCount *[distCells]uint32
	samples   []float64
}

// sample returns every len(a)/distSample-th score of a (about distSample
// of them), copied to sc.
func (sc *sortScratch) sample(a []float64) []float64 {
	if sc.samples == nil {
		sc.samples = make([]float64, 0, 2*distSample)
	}
	step := max(1, len(a)/distSample)
	sc.samples = sc.samples[:0]
	for i := 0; i < len(a); i += step {
		sc.samples = append(sc.samples, a[i])
	}
	return sc.samples
}

// valueRange returns the largest and smallest of a (NaN-free; of +0 and
// −0, either). Plain comparisons, not the max and min built-ins, whose
// care for NaN and signed zeros costs half the loop.
func valueRange(a []float64) (hi, lo float64) {
	hi, lo = a[0], a[0]
	for _, x := range a[1:] {
		if x > hi {
			hi = x
		}
		if x < lo {
			lo = x
		}
	}
	return hi, lo
}

// bucketScale returns the factor that maps hi/2 − x/2 to buckets 0..n−1
// for x in [lo, hi], or ok false when the range is too narrow to scale
// (a few ulps of subnormals) or infinite (±Inf among the scores, which a
// Curve refuses but the sort accepts). Halving first keeps hi − lo finite.
func bucketScale(hi, lo float64, n int) (scale float64, ok bool) {
	d := hi*0.5 - lo*0.5
	scale = float64(n-1) / d
	return scale, d > 0 && scale > 0 && !math.IsInf(d, 0) && !math.IsInf(scale, 0)
}

// sortValues sorts a descending: an in-place distribution into distBuckets
// value buckets of about equal size, then each bucket (see
// sortDescending). The buckets are equi-depth: a sample of the scores gives
// the empirical distribution over distCells equal cells of [lo, hi], and a
// table maps each cell to the bucket of its quantile, so one pass leaves
// buckets that fit in the cache even when the scores crowd around a mode.
// Bucket indices are non-increasing in the score, so the order is kept.
func sortValues(a []float64, sc *sortScratch, depth int) {
	if len(a) <= radixLSDMax {
		sortBucket(a, sc)
		return
	}
	hi, lo := valueRange(a)
	if !(hi > lo) {
		return // all equal
	}
	bm, ok := equiDepth(sc.sample(a), hi, lo, distBuckets, sc)
	if !ok || depth > 8 {
		sortByKeys(a, sc)
		return
	}
	var count [distBuckets]int
	for _, x := range a {
		count[bm.bucket(x)]++
	}
	permuteBuckets(a, &count, bm)
	start := 0
	for _, c := range count {
		if c > 1 {
			sortValues(a[start:start+c], sc, depth+1)
		}
		start += c
	}
}

// equiDepth maps scores to nb buckets, built from a sample of them in
// [lo, hi]: non-increasing in the score, with about as many scores in each
// bucket. ok is false when the range cannot be scaled (see bucketScale).
// The map uses sc's table until the next call.
func equiDepth(sample []float64, hi, lo float64, nb int, sc *sortScratch) (m bucketMap, ok bool) {
	cellScale, ok := bucketScale(hi, lo, distCells)
	if !ok {
		return m, false
	}
	if sc.table == nil {
		sc.table = new([distCells]uint16)
		sc.cellCount = new([distCells]uint32)
	}
	m = bucketMap{h: hi * 0.5, scale: cellScale, table: sc.table}
	cc := sc.cellCount
	clear(cc[:])
	for _, x := range sample {
		cc[m.cell(x)]++
	}
	cum := 0
	for c := range cc {
		m.table[c] = uint16(min(cum*nb/len(sample), nb-1)) // cells past the last sampled one: the last bucket
		cum += int(cc[c])
	}
	return m, true
}

// bucketMap is equiDepth's map: a score's cell of the value range, then
// the cell's bucket.
type bucketMap struct {
	h, scale float64
	table    *[distCells]uint16
}

// cell clamps: a score above the range's top is in cell 0, one below its
// bottom in the last (±Inf included), so the map stays non-increasing over
// all scores.
func (m bucketMap) cell(x float64) int {
	c := (m.h - x*0.5) * m.scale
	if c >= distCells-1 {
		return distCells - 1
	}
	if c > 0 {
		return int(c)
	}
	return 0
}

func (m bucketMap) bucket(x float64) int { return int(m.table[m.cell(x)]) }

// sortBucket sorts a (at most radixLSDMax scores) descending inside the
// cache; see sortBucketInto.
func sortBucket(a []float64, sc *sortScratch) { sortBucketInto(a, a, sc) }

// sortBucketInto writes the scores of src, sorted descending, to dst (of
// the same length; src itself when dst is src): one more distribution by
// value into len(src) sub-buckets, then insertion sort of the sub-buckets,
// which hold a score or two each when the scores are spread smoothly. A
// crowded sub-bucket (a pile of near-equal scores) is sorted by its bits.
// src is left in any order when it is not dst.
func sortBucketInto(dst, src []float64, sc *sortScratch) {
	n := len(src)
	same := n > 0 && &dst[0] == &src[0]
	if n < radixSmall {
		if !same {
			copy(dst, src)
		}
		insertionSortDesc(dst)
		return
	}
	hi, lo := valueRange(src)
	scale, ok := bucketScale(hi, lo, n)
	if !(hi > lo) || !ok {
		if !same {
			copy(dst, src)
		}
		if hi > lo {
			sortByKeys(dst, sc)
		}
		return
	}
	if cap(sc.vals) < radixLSDMax {
		sc.vals = make([]float64, radixLSDMax)
		sc.count = make([]int32, radixLSDMax+1)
	}
	// Scatter into the scratch, warm in the cache, and copy the result to
	// dst in order: dst is cold (a bucket of sortParallel's), and stores
	// scattered over it stalled on its cache misses (a fifth of the time).
	out, count := sc.vals[:n], sc.count[:n+1]
	clear(count)
	h := hi * 0.5
	for _, x := range src {
		count[min(int((h-x*0.5)*scale), n-1)+1]++
	}
	crowd := int32(0)
	for b := 1; b <= n; b++ {
		crowd = max(crowd, count[b])
		count[b] += count[b-1]
	}
	// count[b] is now the start of sub-bucket b; scatter.
	for _, x := range src {
		b := min(int((h-x*0.5)*scale), n-1)
		out[count[b]] = x
		count[b]++
	}
	if crowd < radixSmall {
		// Every score is fewer than radixSmall places from its own: one
		// insertion sort over the bucket finishes it in about n steps.
		insertionSortNear(out)
	} else {
		// count[b] is now the end of sub-bucket b.
		start := 0
		for b := 0; b < n; b++ {
			end := int(count[b])
			switch c := end - start; {
			case c <= 1:
			case c < radixSmall:
				insertionSortDesc(out[start:end])
			default:
				sortByKeys(out[start:end], sc)
			}
			start = end
		}
	}
	copy(dst, out)
}

// bucketer gives an element's bucket among 256.
type bucketer[T any] interface{ bucket(T) int }

// digit is the bucketer of sortKeys: the radixBits-bit digit at a shift.
type digit int

func (d digit) bucket(k uint64) int { return int((k >> uint(d)) & radixMask) }

// permuteBuckets reorders a in place so that its elements come in bucket
// order, count[b] being the number of elements of bucket b (American flag
// sort: each element moves once, to its bucket's next free place).
func permuteBuckets[T any, B bucketer[T]](a []T, count *[distBuckets]int, bk B) {
	var head, tail [distBuckets]int
	sum := 0
	for b, c := range count {
		head[b] = sum
		sum += c
		tail[b] = sum
	}
	for b := range head {
		for head[b] < tail[b] {
			// Carry the element at the bucket's head to its own bucket,
			// taking the one it displaces, until one belongs here.
			v := a[head[b]]
			for d := bk.bucket(v); d != b; d = bk.bucket(v) {
				v, a[head[d]] = a[head[d]], v
				head[d]++
			}
			a[head[b]] = v
			head[b]++
		}
	}
}

// insertionSortNear is insertionSortDesc for scores mostly at most one
// place from their own (a scatter into as many sub-buckets as scores): it
// orders each score with the one before it without a branch (max and min)
// and shifts only the few that belong two places up or more. The branch
// of insertionSortDesc on every score mispredicted for each one out of
// place, about one in five.
func insertionSortNear(a []float64) {
	if len(a) < 2 {
		return
	}
	p := a[0] // a[i-1]
	for i := 1; i < len(a); i++ {
		v := a[i]
		hi, lo := max(p, v), min(p, v)
		if i >= 2 && hi > a[i-2] {
			j := i - 1
			for ; j > 0 && a[j-1] < v; j-- {
				a[j] = a[j-1]
			}
			a[i] = p
			a[j] = v
			continue // a[i] is still p
		}
		a[i-1], a[i] = hi, lo
		p = lo
	}
}

// insertionSortDesc sorts a short slice descending.
func insertionSortDesc(a []float64) {
	for i := 1; i < len(a); i++ {
		v := a[i]
		j := i
		for ; j > 0 && a[j-1] < v; j-- {
			a[j] = a[j-1]
		}
		a[j] = v
	}
}

// sortByKeys sorts a descending by the order-preserving integer image of
// its bits (an MSD radix sort in place, LSD passes for buckets that fit in
// the cache). It is the fallback for piles of scores a few ulps apart,
// where scaling by value cannot separate them.
func sortByKeys(a []float64, sc *sortScratch) {
	// Reinterpret the float storage as keys in place: same size and
	// alignment, and the slice is not used as floats until converted back.
	keys := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(a))), len(a))
	for i, x := range a {
		keys[i] = descKey(x)
	}
	sortKeys(keys, 64-radixBits, &sc.keys)
	for i, k := range keys {
		a[i] = fromDescKey(k)
	}
}

// sortKeys sorts keys ascending by their bits from shift+radixBits-1 down,
// all higher bits being equal. Large slices get one in-place bucket
// permutation on the digit at shift (American flag sort), then each bucket
// on the next digit; once a bucket fits in radixLSDMax keys it is finished
// by an LSD radix sort through *scratch, a buffer of at most that size kept
// warm in the cache across buckets.
func sortKeys(keys []uint64, shift int, scratch *[]uint64) {
	for {
		switch {
		case len(keys) < radixSmall:
			insertionSort(keys)
			return
		case len(keys) <= radixLSDMax:
			lsdSort(keys, shift, scratch)
			return
		}
		var count [distBuckets]int
		for _, k := range keys {
			count[(k>>shift)&radixMask]++
		}
		if count[(keys[0]>>shift)&radixMask] == len(keys) {
			// every key has this digit: go on to the next
			if shift == 0 {
				return
			}
			shift -= radixBits
			continue
		}
		permuteBuckets(keys, &count, digit(shift))
		if shift == 0 {
			return
		}
		start := 0
		for _, c := range count {
			if c > 1 {
				sortKeys(keys[start:start+c], shift-radixBits, scratch)
			}
			start += c
		}
		return
	}
}

// lsdSort sorts keys ascending by their digits at shift and below (the
// higher bits being equal), least significant digit first, skipping digits
// that are the same in every key.
func lsdSort(keys []uint64, shift int, scratch *[]uint64) {
	passes := shift/radixBits + 1
	var hist [64 / radixBits][1 << radixBits]int
	for _, k := range keys {
		for d := 0; d < passes; d++ {
			hist[d][(k>>(radixBits*d))&radixMask]++
		}
	}
	if cap(*scratch) < len(keys) {
		*scratch = make([]uint64, len(keys), max(len(keys), min(2*cap(*scratch), radixLSDMax)))
	}
	src, dst := keys, (*scratch)[:len(keys)]
	for d := 0; d < passes; d++ {
		h := &hist[d]
		sh := uint(radixBits * d)
		if h[(src[0]>>sh)&radixMask] == len(keys) {
			continue
		}
		var offs [1 << radixBits]int
		sum := 0
		for b := range offs {
			offs[b] = sum
			sum += h[b]
		}
		for _, k := range src {
			b := (k >> sh) & radixMask
			dst[offs[b]] = k
			offs[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}

func insertionSort(keys []uint64) {
	for i := 1; i < len(keys); i++ {
		v := keys[i]
		j := i
		for ; j > 0 && keys[j-1] > v; j-- {
			keys[j] = keys[j-1]
		}
		keys[j] = v
	}
}

// The sorts use 256 buckets per in-place pass (the scattered writes stay
// within the cache and TLB; 2048 measured slower), insertion sort below
// radixSmall scores, and in-cache passes for buckets of at most
// radixLSDMax scores (512 kB, an L2 cache's worth).
const (
	distBuckets = 1 << radixBits
	distCells   = 1 << 16 // cells of the value range sampled for the quantiles
	distSample  = 1 << 15 // scores sampled
	// parallelSortMin is the length from which sortDescending scatters
	// into a second buffer, on every core: measured 1.5× faster than the
	// in-place permutation on one core (BenchmarkSortScores), at the cost
	// of 4 bytes per score while it runs.
	parallelSortMin = 1 << 20
	maxBuckets      = 1 << 14 // sortParallel's most: one uint16 per cell
	radixBits       = 8
	radixMask       = 1<<radixBits - 1
	radixSmall      = 48
	radixLSDMax     = 1 << 16
)

// descKey maps a float to a uint64 that sorts ascending as the floats sort
// descending.
func descKey(x float64) uint64 {
	b := math.Float64bits(x)
	if b>>63 != 0 {
		b = ^b
	} else {
		b |= 1 << 63
	}
	return ^b
}

func fromDescKey(k uint64) float64 {
	b := ^k
	if b>>63 != 0 {
		b &^= 1 << 63
	} else {
		b = ^b
	}
	return math.Float64frombits(b)
}
