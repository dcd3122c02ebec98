package identify

import "math"

// The row scans below are the per-score work of a search: every score of
// every block passes through rowMax once, and through firstGE only where a
// row holds a candidate. On amd64 with AVX they run the vector kernels of
// scankernel_amd64.s over whole vectors and finish the last few values in
// Go; rowMaxGo and firstGEGo are the plain definitions (and the fallback
// under -tags purego and on other architectures).
//
// NaN scores (a product that overflows to +Inf and -Inf in one sum; the
// features themselves are checked finite) compare false everywhere: they
// are never candidates and never maxima.

// rowMax returns the largest value of row, ignoring NaN; -Inf when row is
// empty or all NaN. The sign of a zero maximum is unspecified.
func rowMax[T float32 | float64](row []T) T {
	m := T(math.Inf(-1))
	i := 0
	if haveScanKernel {
		switch r := any(row).(type) {
		case []float32:
			if i = len(r) &^ 7; i > 0 {
				m = T(maxBlocks32(&r[0], i))
			}
		case []float64:
			if i = len(r) &^ 3; i > 0 {
				m = T(maxBlocks64(&r[0], i))
			}
		}
	}
	if t := rowMaxGo(row[i:]); t > m {
		m = t
	}
	return m
}

// firstGE returns the index of the first value of row that is >= thr
// (never a NaN), or len(row) when there is none.
func firstGE[T float32 | float64](row []T, thr T) int {
	i := 0
	if haveScanKernel {
		switch r := any(row).(type) {
		case []float32:
			if n := len(r) &^ 7; n > 0 {
				if i = firstGEBlocks32(&r[0], n, float32(thr)); i < n {
					return i
				}
			}
		case []float64:
			if n := len(r) &^ 3; n > 0 {
				if i = firstGEBlocks64(&r[0], n, float64(thr)); i < n {
					return i
				}
			}
		}
	}
	return i + firstGEGo(row[i:], thr)
}

// rowMaxGo is rowMax without the vector kernel.
func rowMaxGo[T float32 | float64](row []T) T {
	m := T(math.Inf(-1))
	for _, v := range row {
		if v > m {
			m = v
		}
	}
	return m
}

// firstGEGo is firstGE without the vector kernel.
func firstGEGo[T float32 | float64](row []T, thr T) int {
	for i, v := range row {
		if v >= thr {
			return i
		}
	}
	return len(row)
}

// collectGE appends the indices of the values of row that are >= thr
// (never a NaN), ascending, to out[:0] and returns it; out grows to
// len(row) when it is shorter.
func collectGE[T float32 | float64](row []T, thr T, out []int32) []int32 {
	if cap(out) < len(row) {
		out = make([]int32, 0, len(row))
	}
	out = out[:len(row)]
	m, i := 0, 0
	if haveScanKernel {
		switch r := any(row).(type) {
		case []float32:
			if i = len(r) &^ 7; i > 0 {
				m = collectGEBlocks32(&r[0], i, float32(thr), &out[0])
			}
		case []float64:
			if i = len(r) &^ 3; i > 0 {
				m = collectGEBlocks64(&r[0], i, float64(thr), &out[0])
			}
		}
	}
	for ; i < len(row); i++ {
		if row[i] >= thr {
			out[m] = int32(i)
			m++
		}
	}
	return out[:m]
}
