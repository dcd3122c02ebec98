//go:build !(linux || darwin || freebsd)

package blas

import "errors"

type openblasFuncs struct {
	sgemm      func(order, ta, tb, m, n, k int32, alpha float32, a *float32, lda int32, b *float32, ldb int32, beta float32, c *float32, ldc int32)
	dgemm      func(order, ta, tb, m, n, k int32, alpha float64, a *float64, lda int32, b *float64, ldb int32, beta float64, c *float64, ldc int32)
	corename   func() string
	config     func() string
	getThreads func() int32
	setThreads func(int32)
}

func openOpenBLAS(name string) (*openblasFuncs, error) {
	return nil, errors.New(name + ": loading libraries at run time is not supported on this platform")
}
