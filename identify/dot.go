package identify

// dot64 is the float64 inner product of a and b (four partial sums). Every
// float64 score of a refined search comes from it (or from dot64x4, which
// computes the same sums), so they do not depend on the BLAS backend.
func dot64(a, b []float64) float64 {
	var s0, s1, s2, s3 float64
	n := len(a)
	b = b[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// dot64x4 returns dot64(a, b[c]) for the four rows b[c], each at least as
// long as a, bit for bit: the vector kernel runs the four rows' sums side
// by side in dot64's order.
func dot64x4(a []float64, b *[4][]float64) [4]float64 {
	var out [4]float64
	n := len(a)
	blocks := n / 4
	if !haveScanKernel || blocks == 0 {
		for c := range out {
			out[c] = dot64(a, b[c])
		}
		return out
	}
	var lanes [16]float64
	dot4Blocks64(&a[0], &b[0][:n][0], &b[1][:n][0], &b[2][:n][0], &b[3][:n][0], blocks, &lanes)
	for c := range out {
		s0, s1, s2, s3 := lanes[4*c], lanes[4*c+1], lanes[4*c+2], lanes[4*c+3]
		bc := b[c][:n]
		for i := 4 * blocks; i < n; i++ {
			s0 += a[i] * bc[i]
		}
		out[c] = (s0 + s1) + (s2 + s3)
	}
	return out
}
