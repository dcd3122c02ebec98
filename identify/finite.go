package identify

import (
	"errors"
	"fmt"

	"github.com/evalkit/evalkit/internal/parallel"
)

// Every search reads each input value once before its first product: to
// check that it is finite, or (a refined float64 search) to round it to
// float32. Both run on every core with the vector kernels; 10,000 float64
// probes of 512-d are 40 MB (80 MB of float64) read per gallery.

// parallelMin is the smallest input split among goroutines.
const parallelMin = 1 << 16

// checkFinite reports the first NaN or infinite value, checking on up to
// threads goroutines.
func (m Matrix) checkFinite(what string, threads int) error {
	bad := func(i int, v float64) error {
		return fmt.Errorf("identify: %s row %d, column %d is %v; features must be finite", what, i/m.Cols, i%m.Cols, v)
	}
	n := max(len(m.F32), len(m.F64))
	return parallel.For(n, workers(n, threads), func(_, lo, hi int) error {
		if m.F64 != nil {
			if i := firstNonFinite(m.F64[lo:hi]); i >= 0 {
				return bad(lo+i, m.F64[lo+i])
			}
		} else if i := firstNonFinite(m.F32[lo:hi]); i >= 0 {
			return bad(lo+i, float64(m.F32[lo+i]))
		}
		return nil
	})
}

func workers(n, threads int) int {
	return max(1, min(threads, n/parallelMin))
}

// firstNonFinite is the index of the first NaN or ±Inf of v, -1 when all
// are finite.
func firstNonFinite[T float32 | float64](v []T) int {
	if allFinite(v) {
		return -1
	}
	for i, x := range v {
		if x-x != 0 { // 0 for finite values, NaN for NaN and ±Inf
			return i
		}
	}
	return -1
}

// kernelPiece bounds the values one kernel call reads: assembly is not
// preempted, and a garbage collection waits for every goroutine to stop.
const kernelPiece = 1 << 16

// allFinite reports whether every value of v is finite.
func allFinite[T float32 | float64](v []T) bool {
	for len(v) > kernelPiece {
		if !allFinite(v[:kernelPiece]) {
			return false
		}
		v = v[kernelPiece:]
	}
	i := 0
	if haveScanKernel {
		switch x := any(v).(type) {
		case []float32:
			if i = len(x) &^ 7; i > 0 && !finiteBlocks32(&x[0], i) {
				return false
			}
		case []float64:
			if i = len(x) &^ 3; i > 0 && !finiteBlocks64(&x[0], i) {
				return false
			}
		}
	}
	for _, x := range v[i:] {
		if x-x != 0 {
			return false
		}
	}
	return true
}

// toFloat32 rounds v to float32 on up to threads goroutines, reporting
// false when a result is not finite: a NaN or ±Inf of v, or a value beyond
// float32's range.
func toFloat32(v []float64, threads int) ([]float32, bool) {
	out := make([]float32, len(v))
	err := parallel.For(len(v), workers(len(v), threads), func(_, lo, hi int) error {
		if !roundFloat32(out[lo:hi], v[lo:hi]) {
			return errNotFinite
		}
		return nil
	})
	return out, err == nil
}

var errNotFinite = errors.New("identify: not finite")

// roundFloat32 sets dst to src rounded to float32 and reports whether every
// result is finite.
func roundFloat32(dst []float32, src []float64) bool {
	for len(src) > kernelPiece {
		ok := roundFloat32(dst[:kernelPiece], src[:kernelPiece])
		if !ok {
			roundFloat32(dst[kernelPiece:], src[kernelPiece:])
			return false
		}
		dst, src = dst[kernelPiece:], src[kernelPiece:]
	}
	i, ok := 0, true
	if haveScanKernel {
		if i = len(src) &^ 3; i > 0 {
			ok = toFloat32Blocks(&dst[0], &src[0], i)
		}
	}
	dst = dst[:len(src)]
	for ; i < len(src); i++ {
		dst[i] = float32(src[i])
		ok = ok && dst[i]-dst[i] == 0
	}
	return ok
}
