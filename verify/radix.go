package verify

import (
	"math"
	"slices"
	"unsafe"
)

// sortDescending sorts a in descending order (NaN-free, -0 already folded
// into +0). Long slices go through an LSD radix sort on the order-preserving
// integer image of the floats — O(n), one scratch slice of n words, and
// passes whose byte is the same in every key (the low mantissa bytes of
// scores that were float32) skipped — which is what makes exact curves over
// tens of millions of scores fast.
func sortDescending(a []float64, scratch []uint64) []uint64 {
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
		return scratch
	}
	// Reinterpret the float storage as keys in place: same size and
	// alignment, and the slice is not used as floats until converted back.
	keys := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(a))), len(a))
	var hist [radixPasses][1 << radixBits]int
	for i, x := range a {
		k := descKey(x)
		keys[i] = k
		for d := 0; d < radixPasses; d++ {
			hist[d][(k>>(radixBits*d))&radixMask]++
		}
	}
	if cap(scratch) < len(a) {
		scratch = make([]uint64, len(a))
	}
	buf := scratch[:len(a)]
	src, dst := keys, buf
	for d := 0; d < radixPasses; d++ {
		h := &hist[d]
		shift := uint(radixBits * d)
		if h[(src[0]>>shift)&radixMask] == len(a) {
			continue // every key has this digit
		}
		var offs [1 << radixBits]int
		sum := 0
		for b := range offs {
			offs[b] = sum
			sum += h[b]
		}
		for _, k := range src {
			b := (k >> shift) & radixMask
			dst[offs[b]] = k
			offs[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
	for i, k := range keys {
		a[i] = fromDescKey(k)
	}
	return scratch
}

// The radix sort uses 8-bit digits: eight passes cover 64 bits. Wider
// digits (11 bits, six passes) measured slower on tens of millions of
// scores: the scatter into 2048 destinations misses the cache and TLB.
const (
	radixBits   = 8
	radixPasses = (64 + radixBits - 1) / radixBits
	radixMask   = 1<<radixBits - 1
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
