package nd

import (
	"fmt"
	"math"
	"slices"
)

// ArgMaxFloat32 returns the index of the first maximal element of row, or of
// its first NaN if it holds one (numpy's and MXNet's CPU rule). It returns -1
// for an empty row. It is the hot loop of Accuracy and allocates nothing.
// Built with GOEXPERIMENT=simd on amd64 it uses AVX2 when the CPU has it
// (argmax_simd.go), with the same results.
func ArgMaxFloat32(row []float32) int { return argMaxFloat32(row) }

// argMaxFloat32Scalar is ArgMaxFloat32 in plain Go.
func argMaxFloat32Scalar(row []float32) int {
	n := len(row)
	if n == 0 {
		return -1
	}
	best, bi := row[0], 0
	if best != best {
		return 0
	}
	// One running maximum, scanned in index order. The hot path asks of a
	// block of 16 only "is every element <= best?": one compare and a
	// never-taken branch per element, since the maximum of random logits
	// changes a handful of times per row. A larger element or a NaN (for
	// which <= is false) sends the block to the careful loop, which returns
	// at the first NaN and otherwise moves the maximum only on strictly
	// greater values, so ties keep the lower index and -0 equals +0.
	i := 1
	for ; i+16 <= n; i += 16 {
		v := row[i : i+16 : i+16]
		if v[0] <= best && v[1] <= best && v[2] <= best && v[3] <= best &&
			v[4] <= best && v[5] <= best && v[6] <= best && v[7] <= best &&
			v[8] <= best && v[9] <= best && v[10] <= best && v[11] <= best &&
			v[12] <= best && v[13] <= best && v[14] <= best && v[15] <= best {
			continue
		}
		var nan bool
		if best, bi, nan = advance(row, i, i+16, best, bi); nan {
			return bi
		}
	}
	_, bi, _ = advance(row, i, n, best, bi)
	return bi
}

// advance is the careful step of the arg-max kernels: it scans row[lo:hi]
// in order, moving the maximum only on strictly greater values (ties keep
// the lower index, -0 equals +0). At the first NaN it stops and returns its
// index with nan set.
func advance(row []float32, lo, hi int, best float32, bi int) (float32, int, bool) {
	for j := lo; j < hi; j++ {
		if x := row[j]; !(x <= best) {
			if x != x {
				return best, j, true
			}
			best, bi = x, j
		}
	}
	return best, bi, false
}

// ArgMaxFloat64 is ArgMaxFloat32 for float64 rows.
func ArgMaxFloat64(row []float64) int {
	if len(row) == 0 {
		return -1
	}
	best, bi := row[0], 0
	if best != best {
		return 0
	}
	for i, v := range row[1:] {
		if v != v {
			return i + 1
		}
		if v > best {
			best, bi = v, i+1
		}
	}
	return bi
}

// argMaxStrided is the general kernel: n elements starting at off, stride apart.
func (a *Array) argMaxStrided(off, n, stride int) int {
	if a.dtype.storage() == Int64 {
		// Compare as integers: float64 would merge values above 2^53.
		best, bi := a.i64[off], 0
		for j := 1; j < n; j++ {
			if v := a.i64[off+j*stride]; v > best {
				best, bi = v, j
			}
		}
		return bi
	}
	best, bi := math.Inf(-1), 0
	for j := 0; j < n; j++ {
		v := a.Float(off + j*stride)
		if v != v {
			return j
		}
		if v > best || j == 0 {
			best, bi = v, j
		}
	}
	return bi
}

// ArgMax returns the indices of the first maximal elements along axis
// (negative counts from the end), appended to dst[:0], and the shape of the
// result (a's shape without axis). NaN wins, as in numpy. An empty axis is an
// error, as numpy's "attempt to get argmax of an empty sequence".
func ArgMax(a *Array, axis int, dst []int64) ([]int64, []int, error) {
	s := a.Shape()
	ax := axis
	if ax < 0 {
		ax += len(s)
	}
	if ax < 0 || ax >= len(s) {
		return dst, nil, fmt.Errorf("nd: argmax axis %d is out of bounds for array of shape %s", axis, ShapeString(s))
	}
	if s[ax] == 0 {
		return dst, nil, fmt.Errorf("nd: argmax of an empty axis %d in shape %s", axis, ShapeString(s))
	}
	outer, inner := 1, 1
	for _, d := range s[:ax] {
		outer *= d
	}
	for _, d := range s[ax+1:] {
		inner *= d
	}
	n := s[ax]
	out := slices.Grow(dst[:0], outer*inner)[:outer*inner] // every element is set below
	if inner == 1 {
		for o := 0; o < outer; o++ {
			switch a.dtype.storage() {
			case Float32:
				out[o] = int64(ArgMaxFloat32(a.f32[o*n : (o+1)*n]))
			case Float64:
				out[o] = int64(ArgMaxFloat64(a.f64[o*n : (o+1)*n]))
			default:
				out[o] = int64(a.argMaxStrided(o*n, n, 1))
			}
		}
	} else {
		for o := 0; o < outer; o++ {
			for in := 0; in < inner; in++ {
				out[o*inner+in] = int64(a.argMaxStrided(o*n*inner+in, n, inner))
			}
		}
	}
	shape := make([]int, 0, len(s)-1)
	shape = append(shape, s[:ax]...)
	shape = append(shape, s[ax+1:]...)
	return out, shape, nil
}

// RankOf returns how many elements of row come before row[i] in descending
// order, NaN first and ties broken by lower index: element i is in the
// top-k exactly when RankOf(row, i) < k. It runs in one pass, O(len(row)).
func RankOf(row []float32, i int) int {
	t := row[i]
	r := 0
	if t != t {
		for _, v := range row[:i] {
			if v != v {
				r++
			}
		}
		return r
	}
	for j, v := range row {
		if v > t || v != v || (v == t && j < i) {
			r++
		}
	}
	return r
}

// InTopK reports whether row[i] is among the k largest elements of row
// under RankOf's order (NaN first, higher value, then lower index). It
// stops as soon as k elements are known to rank above row[i], and counts
// without data-dependent branches otherwise, so a label that is usually the
// maximum (a trained network) costs one streaming pass.
func InTopK(row []float32, i, k int) bool {
	if i < 0 || i >= len(row) || k <= 0 {
		return false
	}
	t := row[i]
	if t != t {
		return RankOf(row, i) < k
	}
	const block = 256
	r := 0
	for lo := 0; lo < len(row); lo += block {
		hi := min(lo+block, len(row))
		if lo <= i && i < hi {
			// The block holding i: ties before i count, ties after do not.
			r += countAbove(row[lo:i], t, true) + countAbove(row[i+1:hi], t, false)
		} else {
			r += countAbove(row[lo:hi], t, hi <= i)
		}
		if r >= k {
			return false
		}
	}
	return true
}

// countAbove counts the elements above t (or NaN); with ties, equal elements
// count too.
func countAbove(s []float32, t float32, ties bool) int {
	var c0, c1, c2, c3 int
	j := 0
	if ties {
		for ; j+4 <= len(s); j += 4 {
			c0 += b2i(!(s[j] < t))
			c1 += b2i(!(s[j+1] < t))
			c2 += b2i(!(s[j+2] < t))
			c3 += b2i(!(s[j+3] < t))
		}
		for ; j < len(s); j++ {
			c0 += b2i(!(s[j] < t))
		}
	} else {
		for ; j+4 <= len(s); j += 4 {
			c0 += b2i(!(s[j] <= t))
			c1 += b2i(!(s[j+1] <= t))
			c2 += b2i(!(s[j+2] <= t))
			c3 += b2i(!(s[j+3] <= t))
		}
		for ; j < len(s); j++ {
			c0 += b2i(!(s[j] <= t))
		}
	}
	return c0 + c1 + c2 + c3
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
