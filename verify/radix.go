package verify

import (
	"math"
	"slices"
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
