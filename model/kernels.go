package model

import "gonum.org/v1/gonum/blas/blas32"

// The kernels below are the three products a dense layer needs, written over
// row-major float32 slices with gonum's SIMD dot and axpy. Each computes a
// caller-chosen range of output rows, so workers can share one product
// without locks, and each output value is accumulated in a fixed order.

// blockRows is how many weight rows are kept hot in L1 while input rows
// stream past them.
const blockRows = 8

func vec(x []float32) blas32.Vector { return blas32.Vector{N: len(x), Inc: 1, Data: x} }

// dotNT sets y[i,o] = x[i,:]·w[o,:] + b[o] for rows i in [lo, hi): x is
// (·, k), w is (n, k), y is (·, n); b may be nil.
func dotNT(y, x, w, b []float32, n, k, lo, hi int) {
	for ob := 0; ob < n; ob += blockRows {
		oe := min(ob+blockRows, n)
		for i := lo; i < hi; i++ {
			xi := vec(x[i*k : i*k+k])
			yi := y[i*n : i*n+n]
			for o := ob; o < oe; o++ {
				s := blas32.Dot(xi, vec(w[o*k:o*k+k]))
				if b != nil {
					s += b[o]
				}
				yi[o] = s
			}
		}
	}
}

// axpyNN sets dx[i,:] = Σ_o dy[i,o]·w[o,:] for rows i in [lo, hi): dy is
// (·, n), w is (n, k), dx is (·, k).
func axpyNN(dx, dy, w []float32, n, k, lo, hi int) {
	clear(dx[lo*k : hi*k])
	for ob := 0; ob < n; ob += blockRows {
		oe := min(ob+blockRows, n)
		for i := lo; i < hi; i++ {
			dxi := vec(dx[i*k : i*k+k])
			for o := ob; o < oe; o++ {
				if g := dy[i*n+o]; g != 0 {
					blas32.Axpy(g, vec(w[o*k:o*k+k]), dxi)
				}
			}
		}
	}
}

// axpyTN sets dw[o,:] = Σ_{i<m} dy[i,o]·x[i,:] and, when db is not nil,
// db[o] = Σ_{i<m} dy[i,o], for output rows o in [lo, hi): dy is (m, n), x is
// (m, k), dw is (n, k).
func axpyTN(dw, db, dy, x []float32, m, n, k, lo, hi int) {
	for ob := lo; ob < hi; ob += blockRows {
		oe := min(ob+blockRows, hi)
		clear(dw[ob*k : oe*k])
		for i := 0; i < m; i++ {
			xi := vec(x[i*k : i*k+k])
			for o := ob; o < oe; o++ {
				if g := dy[i*n+o]; g != 0 {
					blas32.Axpy(g, xi, vec(dw[o*k:o*k+k]))
				}
			}
		}
		if db != nil {
			for o := ob; o < oe; o++ {
				var s float32
				for i := 0; i < m; i++ {
					s += dy[i*n+o]
				}
				db[o] = s
			}
		}
	}
}
