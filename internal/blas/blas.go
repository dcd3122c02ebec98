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

// Gonum is the pure-Go backend (gonum.org/v1/gonum/blas/gonum), which
// spreads each product over GOMAXPROCS goroutines.
//
// gonum sums a product's inner dimension in one dot product for small
// matrices but in slices of 64 for large ones, so the same entry could
// differ in the last bit between calls of different shapes. Gonum always
// sums in slices of 64 (one gonum call per slice, accumulating into C),
// so every entry of C is the same whatever the shape of the call.
type Gonum struct{}

// gonumKBlock is gonum's block size (gonum/blas/gonum.blockSize).
const gonumKBlock = 64

var gonumImpl gonum.Implementation

// Name returns "gonum".
func (Gonum) Name() string { return "gonum" }

// SgemmNT computes C = A·Bᵀ with gonum's Sgemm.
func (Gonum) SgemmNT(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	for kb := 0; kb < k; kb += gonumKBlock {
		beta := float32(1)
		if kb == 0 {
			beta = 0
		}
		gonumImpl.Sgemm(blas.NoTrans, blas.Trans, m, n, min(gonumKBlock, k-kb), 1, a[kb:], lda, b[kb:], ldb, beta, c, ldc)
	}
}

// DgemmNT computes C = A·Bᵀ with gonum's Dgemm.
func (Gonum) DgemmNT(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	for kb := 0; kb < k; kb += gonumKBlock {
		beta := 1.0
		if kb == 0 {
			beta = 0
		}
		gonumImpl.Dgemm(blas.NoTrans, blas.Trans, m, n, min(gonumKBlock, k-kb), 1, a[kb:], lda, b[kb:], ldb, beta, c, ldc)
	}
}
