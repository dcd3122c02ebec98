package verify

// This file scores template pairs with the vector kernel dotLeaves4
// (kernel_amd64.s): np.sum(a * b) of two float64 rows in numpy's pairwise
// order, bit-identical to dotPairwise (numpy.go), which is also the path
// without the kernel (-tags purego, other CPUs). TestDotPlan compares the
// two bit for bit.

// dotPlan is numpy's pairwise summation tree for one row length, split
// into the leaves the kernel runs four at a time.
type dotPlan struct {
	d int
	// fast: the row is 4·2^k leaves of 128 elements, a perfect binary tree
	// whose leaves the kernel computes in groups of four.
	fast bool
	// leaves is the number of 128-element leaves when fast.
	leaves int
}

// newDotPlan returns the plan for rows of d elements.
func newDotPlan(d int) dotPlan {
	p := dotPlan{d: d}
	// pairwiseBlock halves n (rounded down to a multiple of 8) until n <=
	// 128; for d = 128·2^k the halves are equal at every level and every
	// leaf holds 128 elements, 16 kernel blocks.
	if haveVectorKernel && d >= 512 && d%128 == 0 {
		l := d / 128
		if l&(l-1) == 0 {
			p.fast, p.leaves = true, l
		}
	}
	return p
}

// dot returns np.sum(a * b) for rows of p.d elements, as dotPairwise.
func (p *dotPlan) dot(a, b []float64) float64 {
	if !p.fast {
		return dotPairwise(a, b)
	}
	a, b = a[:p.d], b[:p.d]
	if p.leaves == 4 {
		var s [4]float64
		dotLeaves4(&a[0], &b[0], 16, 128, &s)
		return 0 + ((s[0] + s[1]) + (s[2] + s[3]))
	}
	// up to 64 leaves on the stack (rows of up to 8192 elements)
	var buf [64]float64
	s := buf[:0]
	if p.leaves > len(buf) {
		s = make([]float64, 0, p.leaves)
	}
	for q := 0; q < p.leaves; q += 4 {
		var g [4]float64
		dotLeaves4(&a[q*128], &b[q*128], 16, 128, &g)
		s = append(s, g[:]...)
	}
	for len(s) > 1 {
		for i := 0; i < len(s)/2; i++ {
			s[i] = s[2*i] + s[2*i+1]
		}
		s = s[:len(s)/2]
	}
	return 0 + s[0]
}
