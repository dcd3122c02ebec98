package verify

import "sort"

// DefaultFARTarget is the false-accept rate at which insightface reports VAL.
const DefaultFARTarget = 1e-3

// slinear evaluates SciPy's interp1d(x, y, kind='slinear')(q) as SciPy up to
// 1.8 computed it, for x non-decreasing with x[0] <= q <= x[len-1]. That is a
// degree-1 B-spline on the knots [x0, x0, x1, …, xn-1, xn-1]; de Boor's
// interval search picks the last j with x[j] <= q (at most n-2), and the
// closed form below is bit-identical to SciPy's evaluation. SciPy 1.9 and
// later refuse the repeated x values every real FAR curve has ("Expect x to
// not have duplicates", insightface issues #2152 and #2290); this never fails.
//
// When the chosen interval is degenerate (x[j] == x[j+1], possible only
// when q equals a repeated maximum) SciPy's evaluation yields 0, and so does
// this.
func slinear(x, y []float64, q float64) float64 {
	n := len(x)
	if n == 1 {
		return y[0]
	}
	j := sort.Search(n, func(i int) bool { return x[i] > q }) - 1
	if j > n-2 {
		j = n - 2
	}
	if j < 0 {
		j = 0
	}
	xa, xb := x[j], x[j+1]
	if xb == xa {
		return 0
	}
	w := 1.0 / (xb - xa)
	// Conversions round each product, preventing a fused multiply-add.
	return float64(y[j]*float64(w*(xb-q))) + float64(y[j+1]*float64(w*(q-xa)))
}
