package verify

// This file scores template pairs with the vector kernels dotLeaves4 and
// dotShared4 (kernel_amd64.s): np.sum(a * b) of two float64 rows in numpy's
// pairwise order, bit-identical to dotPairwise (numpy.go), which is also
// the path without the kernels (-tags purego, other CPUs). TestDotPlan
// compares them bit for bit.

// dotPlan is numpy's pairwise summation tree for one row length, split
// into the leaves the kernels compute.
type dotPlan struct {
	d int
	// fast: the row is 2^k leaves of 128 elements, a perfect binary tree
	// (pairwiseBlock halves n, rounded down to a multiple of 8, until
	// n <= 128: for d = 128·2^k the halves are equal at every level).
	fast bool
	// leaves is the number of 128-element leaves when fast.
	leaves int
}

// maxLeaves bounds the rows the kernels take (8192 elements), so that leaf
// sums fit fixed arrays.
const maxLeaves = 64

// smallLeaves bounds the rows (1024 elements) whose leaf sums go to small
// stack arrays: Go zeroes a local array whose address goes to assembly on
// every call (at the function's entry, whatever branch declares it), and
// the 4 KB of eight rows' maxLeaves sums cost more than the 512-d products;
// longer rows take the big arrays in functions of their own (…Long).
const smallLeaves = 8

// newDotPlan returns the plan for rows of d elements.
func newDotPlan(d int) dotPlan {
	p := dotPlan{d: d}
	if haveVectorKernel && d >= 128 && d%128 == 0 && d/128 <= maxLeaves {
		l := d / 128
		if l&(l-1) == 0 {
			p.fast, p.leaves = true, l
		}
	}
	return p
}

// dot returns np.sum(a * b) for rows of p.d elements, as dotPairwise.
func (p *dotPlan) dot(a, b []float64) float64 {
	if !p.fast || p.leaves%4 != 0 {
		if p.fast {
			var out [4]float64
			p.dot4(b, a, a, a, a, &out)
			return out[0]
		}
		return dotPairwise(a, b)
	}
	a, b = a[:p.d], b[:p.d]
	if p.leaves > smallLeaves {
		return p.dotLong(a, b)
	}
	var buf [smallLeaves]float64
	return p.dotLeaves(a, b, buf[:p.leaves])
}

//go:noinline
func (p *dotPlan) dotLong(a, b []float64) float64 {
	var buf [maxLeaves]float64
	return p.dotLeaves(a, b, buf[:p.leaves])
}

// dotLeaves is dot's kernel path with s, of p.leaves elements, for the
// leaf sums.
func (p *dotPlan) dotLeaves(a, b, s []float64) float64 {
	for q := 0; q < p.leaves; q += 4 {
		dotLeaves4(&a[q*128], &b[q*128], 16, 128, (*[4]float64)(s[q:q+4]))
	}
	return 0 + reduceLeaves(s)
}

// dot4 writes np.sum(ak * b) of the four rows a0..a3 against b to out,
// reading b once per block for all four (dotShared4).
func (p *dotPlan) dot4(b, a0, a1, a2, a3 []float64, out *[4]float64) {
	if !p.fast {
		out[0], out[1], out[2], out[3] = dotPairwise(a0, b), dotPairwise(a1, b), dotPairwise(a2, b), dotPairwise(a3, b)
		return
	}
	d := p.d
	b, a0, a1, a2, a3 = b[:d], a0[:d], a1[:d], a2[:d], a3[:d]
	if p.leaves > smallLeaves {
		p.dot4Long(b, a0, a1, a2, a3, out)
		return
	}
	var buf [4 * smallLeaves]float64
	dotShared4(&b[0], &a0[0], &a1[0], &a2[0], &a3[0], p.leaves, &buf[0])
	p.sumLeaves(buf[:4*p.leaves], out[:])
}

//go:noinline
func (p *dotPlan) dot4Long(b, a0, a1, a2, a3 []float64, out *[4]float64) {
	var buf [4 * maxLeaves]float64
	dotShared4(&b[0], &a0[0], &a1[0], &a2[0], &a3[0], p.leaves, &buf[0])
	p.sumLeaves(buf[:4*p.leaves], out[:])
}

// dot8 writes np.sum(a[k] * b) of the eight rows at a[k] against the row
// at b to out, reading b once per block for all eight (dotShared8,
// AVX-512): each pointer must start p.d elements, the plan be fast and the
// CPU have AVX-512 (haveAVX512).
func (p *dotPlan) dot8(b *float64, a *[8]*float64, out *[8]float64) {
	if p.leaves > smallLeaves {
		p.dot8Long(b, a, out)
		return
	}
	var buf [8 * smallLeaves]float64
	dotShared8(b, a, p.leaves, &buf[0])
	p.sumLeaves(buf[:8*p.leaves], out[:])
}

//go:noinline
func (p *dotPlan) dot8Long(b *float64, a *[8]*float64, out *[8]float64) {
	var buf [8 * maxLeaves]float64
	dotShared8(b, a, p.leaves, &buf[0])
	p.sumLeaves(buf[:8*p.leaves], out[:])
}

// sumLeaves writes to out[k] row k's sum of its p.leaves leaf sums, which
// buf holds leaf by leaf (buf[len(out)·q+k] is row k's leaf q), in numpy's
// pairwise tree.
func (p *dotPlan) sumLeaves(buf, out []float64) {
	n := len(out)
	if p.leaves == 4 { // d = 512: ((L0+L1)+(L2+L3)) per row
		for k := range out {
			out[k] = 0 + ((buf[k] + buf[n+k]) + (buf[2*n+k] + buf[3*n+k]))
		}
		return
	}
	var s [maxLeaves]float64
	for k := range out {
		for q := range p.leaves {
			s[q] = buf[n*q+k]
		}
		out[k] = 0 + reduceLeaves(s[:p.leaves])
	}
}

// reduceLeaves sums 2^k leaf sums as numpy's pairwise recursion does: a
// perfect binary tree, adjacent pairs first. It overwrites s.
func reduceLeaves(s []float64) float64 {
	for len(s) > 1 {
		for i := 0; i < len(s)/2; i++ {
			s[i] = s[2*i] + s[2*i+1]
		}
		s = s[:len(s)/2]
	}
	return s[0]
}
