// Package blas holds the matrix products of evalkit's 1:N search: C = A·Bᵀ
// for row-major float32 and float64 matrices, from gonum's pure-Go BLAS
// (always available, the default) or from OpenBLAS's libopenblas.so.0,
// loaded at run time without cgo when it is installed.
//
// OpenBLAS picks its compute kernels for the CPU it detects. Debian 12's
// OpenBLAS 0.3.21 does not recognise some newer CPUs (Zen 4 among them)
// and falls back to generic SSE3 kernels, several times slower; setting
// OPENBLAS_CORETYPE (for example OPENBLAS_CORETYPE=SkylakeX on an AVX-512
// machine) in the environment before the program starts selects a kernel
// by name. evalkit reports the kernel in use (OpenBLAS.CoreName) but never
// sets the variable itself: a kernel the CPU does not support miscomputes
// or crashes.
package blas

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Backend computes C = A·Bᵀ: A is m×k with row stride lda, B is n×k with
// row stride ldb, C is m×n with row stride ldc, all row-major; C is
// overwritten. Implementations are safe for concurrent use on distinct C.
type Backend interface {
	// Name identifies the backend in reports ("gonum", "openblas").
	Name() string
	// SgemmNT computes C = A·Bᵀ in float32.
	SgemmNT(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int)
	// DgemmNT computes C = A·Bᵀ in float64.
	DgemmNT(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int)
}

// Gonum is the pure-Go backend (gonum.org/v1/gonum/blas/gonum), single
// threaded: identify runs one product per goroutine.
//
// gonum sums a product's inner dimension in one dot product for small
// matrices but in slices of 64 for large ones (its parallel path), so the
// same entry could differ in the last bit between calls of different
// shapes. Gonum calls gonum's serial path on 64 × 64 blocks of C, one
// 64-wide slice of the inner dimension at a time, accumulating into C:
// every entry is the same whatever the shape of the call, and no call
// starts goroutines or allocates.
type Gonum struct{}

// gonumBlock is gonum's block size (gonum/blas/gonum.blockSize); gonum
// multiplies serially when C has fewer than 4 such blocks.
const gonumBlock = 64

var gonumImpl gonum.Implementation

// Name returns "gonum".
func (Gonum) Name() string { return "gonum" }

// SgemmNT computes C = A·Bᵀ with gonum's Sgemm.
func (Gonum) SgemmNT(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	gonumBlocks(m, n, k, func(i, j, kb, mi, nj, kk int, beta float32) {
		gonumImpl.Sgemm(blas.NoTrans, blas.Trans, mi, nj, kk, 1, a[i*lda+kb:], lda, b[j*ldb+kb:], ldb, beta, c[i*ldc+j:], ldc)
	})
}

// DgemmNT computes C = A·Bᵀ with gonum's Dgemm.
func (Gonum) DgemmNT(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	gonumBlocks(m, n, k, func(i, j, kb, mi, nj, kk int, beta float32) {
		gonumImpl.Dgemm(blas.NoTrans, blas.Trans, mi, nj, kk, 1, a[i*lda+kb:], lda, b[j*ldb+kb:], ldb, float64(beta), c[i*ldc+j:], ldc)
	})
}

// gonumBlocks calls f for every 64 × 64 block of C (rows i, columns j,
// mi × nj) and every 64-wide slice of the inner dimension (from kb, kk
// wide), beta 0 for the first slice and 1 after.
func gonumBlocks(m, n, k int, f func(i, j, kb, mi, nj, kk int, beta float32)) {
	for i := 0; i < m; i += gonumBlock {
		for j := 0; j < n; j += gonumBlock {
			for kb := 0; kb < k; kb += gonumBlock {
				beta := float32(1)
				if kb == 0 {
					beta = 0
				}
				f(i, j, kb, min(gonumBlock, m-i), min(gonumBlock, n-j), min(gonumBlock, k-kb), beta)
			}
		}
	}
}
