package verify

import (
	"runtime"
	"sync/atomic"

	parallelfor "github.com/evalkit/evalkit/internal/parallel"
)

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
