package model

import "math"

// l2Eps is MXNet's L2Normalization eps: norm = sqrt(Σx² + eps).
const l2Eps = 1e-10

// l2NormalizeRows writes y[i,:] = x[i,:]/‖x[i,:]‖ for rows [lo, hi) of width
// n, storing the norms (sqrt(Σx² + 1e-10), MXNet's L2Normalization with
// mode='instance') in norms. Sums accumulate in float64.
func l2NormalizeRows(y, x []float32, norms []float64, n, lo, hi int) {
	for i := lo; i < hi; i++ {
		xi, yi := x[i*n:i*n+n], y[i*n:i*n+n]
		var ss float64
		for _, v := range xi {
			ss += float64(v) * float64(v)
		}
		nrm := math.Sqrt(ss + l2Eps)
		norms[i] = nrm
		inv := 1 / nrm
		for j, v := range xi {
			yi[j] = float32(float64(v) * inv)
		}
	}
}

// l2NormalizeBackward writes dx[i,:] = (dy − y·(y·dy))/‖x‖ for rows [lo, hi),
// the gradient of y = x/‖x‖.
func l2NormalizeBackward(dx, dy, y []float32, norms []float64, n, lo, hi int) {
	for i := lo; i < hi; i++ {
		yi, dyi, dxi := y[i*n:i*n+n], dy[i*n:i*n+n], dx[i*n:i*n+n]
		var dot float64
		for j, v := range yi {
			dot += float64(v) * float64(dyi[j])
		}
		inv := 1 / norms[i]
		for j, v := range yi {
			dxi[j] = float32((float64(dyi[j]) - float64(v)*dot) * inv)
		}
	}
}
