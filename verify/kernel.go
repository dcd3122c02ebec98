package verify

import "math"

// This file scores pairs of float32 or float64 rows with the vector kernels
// (kernel_amd64.s): the same operations in the same order as embeddings.go's
// plain Go path — numpy's two-lane einsum for the row norms, exact IEEE
// division, numpy's pairwise sum of the terms — so the scores are
// bit-identical; the kernels convert, sum the flipped rows, divide and
// accumulate four elements per instruction and never write a row back to
// memory. TestVectorKernel compares the two paths bit for bit.

// rowPair is one pair of rows, each with its flipped row or nil.
type rowPair[T float32 | float64] struct {
	a, af, b, bf []T
}

// ptr returns the address of x's first element, or nil for an empty x.
func ptr[T any](x []T) *T {
	if len(x) == 0 {
		return nil
	}
	return &x[0]
}

// elem is element i of row x, plus xf's when there is a flipped row.
func elem[T float32 | float64](x, xf []T, i int) float64 {
	if xf == nil {
		return float64(x[i])
	}
	return float64(x[i]) + float64(xf[i])
}

// einsumBlocks runs the kernel's einsum over the first 8·blocks elements.
func einsumBlocks[T float32 | float64](x, xf, y, yf []T, blocks int, l *[4]float64) {
	switch x := any(x).(type) {
	case []float32:
		xf, y, yf := any(xf).([]float32), any(y).([]float32), any(yf).([]float32)
		einsumBlocks2(&x[0], ptr(xf), &y[0], ptr(yf), blocks, l)
	case []float64:
		xf, y, yf := any(xf).([]float64), any(y).([]float64), any(yf).([]float64)
		einsumBlocks2F64(&x[0], ptr(xf), &y[0], ptr(yf), blocks, l)
	}
}

// einsum2 returns np.einsum("ij,ij->i") of the two rows x (+ xf) and
// y (+ yf), as einsumSquares does for each.
func einsum2[T float32 | float64](x, xf, y, yf []T) (sx, sy float64) {
	d := len(x)
	var l [4]float64
	blocks := d / 8
	if blocks > 0 {
		einsumBlocks(x, xf, y, yf, blocks, &l)
	}
	for i := blocks * 8; i < d; i += 2 {
		u, v := elem(x, xf, i), elem(y, yf, i)
		l[0] = float64(u*u) + l[0]
		l[2] = float64(v*v) + l[2]
		if i+1 < d {
			u, v = elem(x, xf, i+1), elem(y, yf, i+1)
			l[1] = float64(u*u) + l[1]
			l[3] = float64(v*v) + l[3]
		}
	}
	return 0 + (l[0] + l[1]), 0 + (l[2] + l[3])
}

// term is the pair's term at element i: the squared difference of the
// normalised elements, or their product for cosine.
func (p *rowPair[T]) term(i int, na, nb float64, cosine bool) float64 {
	x, y := elem(p.a, p.af, i)/na, elem(p.b, p.bf, i)/nb
	if cosine {
		return float64(x * y)
	}
	d := x - y
	return float64(d * d)
}

// leafBlocks runs the kernel's pairwise-sum leaf over elements
// [lo, lo+8·blocks).
func (p *rowPair[T]) leafBlocks(lo, blocks int, na, nb float64, cosine bool) float64 {
	switch a := any(p.a).(type) {
	case []float32:
		af, bf := flipAt(any(p.af).([]float32), any(p.bf).([]float32), lo)
		return pairBlocks(&a[lo], af, &any(p.b).([]float32)[lo], bf, blocks, na, nb, cosine)
	case []float64:
		af, bf := flipAt(any(p.af).([]float64), any(p.bf).([]float64), lo)
		return pairBlocksF64(&a[lo], af, &any(p.b).([]float64)[lo], bf, blocks, na, nb, cosine)
	}
	panic("unreachable: rowPair of float32 or float64")
}

// flipAt returns the addresses of element lo of the flipped rows, or nils
// without flips.
func flipAt[T any](af, bf []T, lo int) (*T, *T) {
	if af == nil {
		return nil, nil
	}
	return &af[lo], &bf[lo]
}

// sum is pairwiseSum over the terms of elements [lo, lo+n), with
// pairwiseBlock's recursion and the vector kernel at its leaves.
func (p *rowPair[T]) sum(lo, n int, na, nb float64, cosine bool) float64 {
	if n > 128 {
		n2 := n / 2
		n2 -= n2 % 8
		return p.sum(lo, n2, na, nb, cosine) + p.sum(lo+n2, n-n2, na, nb, cosine)
	}
	var res float64
	i := lo
	if n >= 8 {
		blocks := n / 8
		res = p.leafBlocks(lo, blocks, na, nb, cosine)
		i += blocks * 8
	}
	for ; i < lo+n; i++ {
		res += p.term(i, na, nb, cosine)
	}
	return res
}

// score returns the pair's score and the raw L2 norms of its rows
// (original a, flipped a, original b, flipped b; the flipped ones 0
// without flips), computed as rows.load, normalizePair and pairScore do.
// ok is false when a row is not finite: the caller then takes the plain
// path, which names the bad value.
func (p *rowPair[T]) score(cosine bool) (s float64, norms [4]float64, ok bool) {
	var sa, sb float64
	if p.af == nil {
		sa, sb = einsum2(p.a, nil, p.b, nil)
		if !finite(sa) || !finite(sb) {
			return 0, norms, false
		}
		norms = [4]float64{math.Sqrt(sa), 0, math.Sqrt(sb), 0}
	} else {
		oa, fa := einsum2(p.a, nil, p.af, nil)
		ob, fb := einsum2(p.b, nil, p.bf, nil)
		if !finite(oa) || !finite(fa) || !finite(ob) || !finite(fb) {
			return 0, norms, false
		}
		norms = [4]float64{math.Sqrt(oa), math.Sqrt(fa), math.Sqrt(ob), math.Sqrt(fb)}
		sa, sb = einsum2(p.a, p.af, p.b, p.bf)
	}
	if !finite(sa) || !finite(sb) {
		return 0, norms, false // finite rows whose sum overflows
	}
	na, nb := sklearnNormScale(sa), sklearnNormScale(sb)
	return 0 + p.sum(0, len(p.a), na, nb, cosine), norms, true
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
