package verify

import "math"

// This file reproduces numpy's floating-point summation orders, so that the
// numbers evalkit prints carry the same digits as insightface's (numpy 1.x,
// scikit-learn). Each function names the numpy expression it mirrors; the
// golden tests under testdata/verify compare bit patterns.

// pairwiseSum returns np.add.reduce over a contiguous 1-D slice, in the
// slice's precision (numpy sums float32 in float32). numpy's reduction
// starts from the identity 0 and feeds the array to its inner loop in
// buffers of npBufSize elements; each buffer is summed pairwise (leaves of
// at most 128 elements with 8 interleaved accumulators) and added to the
// running result, buffer after buffer.
func pairwiseSum[T float32 | float64](a []T) T {
	var res T
	for len(a) > npBufSize {
		res += pairwiseBlock(a[:npBufSize])
		a = a[npBufSize:]
	}
	return res + pairwiseBlock(a)
}

// npBufSize is numpy's NPY_BUFSIZE, the number of elements its reduction
// loop hands to the pairwise summation at once.
const npBufSize = 8192

func pairwiseBlock[T float32 | float64](a []T) T {
	n := len(a)
	switch {
	case n < 8:
		// numpy starts this branch from -0.0 in newer releases and 0.0 in
		// 1.24; the two differ only for an all-negative-zero input, whose
		// sum the leading "0 +" in pairwiseSum turns into +0 either way.
		var res T
		for _, x := range a {
			res += x
		}
		return res
	case n <= 128:
		r0, r1, r2, r3 := a[0], a[1], a[2], a[3]
		r4, r5, r6, r7 := a[4], a[5], a[6], a[7]
		i := 8
		for ; i < n-n%8; i += 8 {
			b := a[i : i+8 : i+8]
			r0 += b[0]
			r1 += b[1]
			r2 += b[2]
			r3 += b[3]
			r4 += b[4]
			r5 += b[5]
			r6 += b[6]
			r7 += b[7]
		}
		res := ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwiseBlock(a[:n2]) + pairwiseBlock(a[n2:])
	}
}

// dotPairwise returns np.sum(a * b) for two float64 rows of equal length:
// pairwiseSum of the rounded products, without storing them.
func dotPairwise(a, b []float64) float64 {
	b = b[:len(a)]
	var res float64
	for len(a) > npBufSize {
		res += dotBlock(a[:npBufSize], b[:npBufSize])
		a, b = a[npBufSize:], b[npBufSize:]
	}
	return res + dotBlock(a, b)
}

// dotBlock is pairwiseBlock over the products a[i]*b[i]; the explicit
// float64 conversions round each product, so no multiply-add is fused.
func dotBlock(a, b []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		var res float64
		for i := range a {
			res += float64(a[i] * b[i])
		}
		return res
	case n <= 128:
		r0, r1, r2, r3 := float64(a[0]*b[0]), float64(a[1]*b[1]), float64(a[2]*b[2]), float64(a[3]*b[3])
		r4, r5, r6, r7 := float64(a[4]*b[4]), float64(a[5]*b[5]), float64(a[6]*b[6]), float64(a[7]*b[7])
		i := 8
		for ; i < n-n%8; i += 8 {
			x, y := a[i:i+8:i+8], b[i:i+8:i+8]
			r0 += float64(x[0] * y[0])
			r1 += float64(x[1] * y[1])
			r2 += float64(x[2] * y[2])
			r3 += float64(x[3] * y[3])
			r4 += float64(x[4] * y[4])
			r5 += float64(x[5] * y[5])
			r6 += float64(x[6] * y[6])
			r7 += float64(x[7] * y[7])
		}
		res := ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
		for ; i < n; i++ {
			res += float64(a[i] * b[i])
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return dotBlock(a[:n2], b[:n2]) + dotBlock(a[n2:], b[n2:])
	}
}

// npMean returns np.mean of a 1-D float64 array (NaN when empty, as numpy).
func npMean(a []float64) float64 {
	if len(a) == 0 {
		return math.NaN()
	}
	return pairwiseSum(a) / float64(len(a))
}

// npStd returns np.std(a) with ddof 0: the square root of the pairwise mean
// of squared deviations from the pairwise mean.
func npStd(a []float64) float64 {
	if len(a) == 0 {
		return math.NaN()
	}
	m := npMean(a)
	var buf [64]float64
	d := buf[:0]
	if len(a) > len(buf) {
		d = make([]float64, 0, len(a))
	}
	for _, x := range a {
		v := x - m
		d = append(d, v*v)
	}
	return math.Sqrt(pairwiseSum(d) / float64(len(a)))
}

// einsumSquares returns np.einsum("ij,ij->i", X, X) for one row, which is
// how scikit-learn's normalize computes squared row norms. numpy's einsum
// kernel is compiled for the baseline SIMD width of two float64 lanes (SSE2
// on x86-64, NEON on arm64): each lane accumulates every other element,
// blocks of eight are added back to front, and the lanes are summed last.
func einsumSquares(x []float64) float64 {
	var l0, l1 float64
	i := 0
	for ; len(x)-i >= 8; i += 8 {
		b := x[i : i+8 : i+8]
		l0 = float64(b[0]*b[0]) + (float64(b[2]*b[2]) + (float64(b[4]*b[4]) + (float64(b[6]*b[6]) + l0)))
		l1 = float64(b[1]*b[1]) + (float64(b[3]*b[3]) + (float64(b[5]*b[5]) + (float64(b[7]*b[7]) + l1)))
	}
	for ; i < len(x); i += 2 {
		l0 = float64(x[i]*x[i]) + l0
		if i+1 < len(x) {
			l1 = float64(x[i+1]*x[i+1]) + l1
		}
	}
	return 0 + (l0 + l1)
}

// einsumSquares2 is einsumSquares of two rows of equal length at once; the
// four independent accumulation chains overlap in the CPU.
func einsumSquares2(x, y []float64) (float64, float64) {
	var l0, l1, m0, m1 float64
	i := 0
	y = y[:len(x)]
	for ; len(x)-i >= 8; i += 8 {
		b := x[i : i+8 : i+8]
		c := y[i : i+8 : i+8]
		l0 = float64(b[0]*b[0]) + (float64(b[2]*b[2]) + (float64(b[4]*b[4]) + (float64(b[6]*b[6]) + l0)))
		l1 = float64(b[1]*b[1]) + (float64(b[3]*b[3]) + (float64(b[5]*b[5]) + (float64(b[7]*b[7]) + l1)))
		m0 = float64(c[0]*c[0]) + (float64(c[2]*c[2]) + (float64(c[4]*c[4]) + (float64(c[6]*c[6]) + m0)))
		m1 = float64(c[1]*c[1]) + (float64(c[3]*c[3]) + (float64(c[5]*c[5]) + (float64(c[7]*c[7]) + m1)))
	}
	for ; i < len(x); i += 2 {
		l0 = float64(x[i]*x[i]) + l0
		m0 = float64(y[i]*y[i]) + m0
		if i+1 < len(x) {
			l1 = float64(x[i+1]*x[i+1]) + l1
			m1 = float64(y[i+1]*y[i+1]) + m1
		}
	}
	return 0 + (l0 + l1), 0 + (m0 + m1)
}

// The explicit float64 conversions above round each product before it is
// added, which stops the compiler fusing multiply and add (it may on arm64,
// ppc64 and s390x); numpy's x86-64 kernels do not fuse either.

// sklearnNormScale returns the divisor scikit-learn's normalize uses for a
// row whose squared norm is sq: the norm, or 1 when the norm is below ten
// machine epsilons (_handle_zeros_in_scale), so zero rows stay zero.
func sklearnNormScale(sq float64) float64 {
	n := math.Sqrt(sq)
	if n < 10*epsilon64 {
		return 1
	}
	return n
}

// epsilon64 is np.finfo(np.float64).eps.
const epsilon64 = 2.220446049250313e-16
