package verify

import (
	"math"
	"unsafe"
)

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
