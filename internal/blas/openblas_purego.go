//go:build linux || darwin || freebsd

package blas

import (
	"fmt"

	"github.com/ebitengine/purego"
)

type openblasFuncs struct {
	sgemm func(order, ta, tb, m, n, k int32, alpha float32, a *float32, lda int32, b *float32, ldb int32, beta float32, c *float32, ldc int32)
	dgemm func(order, ta, tb, m, n, k int32, alpha float64, a *float64, lda int32, b *float64, ldb int32, beta float64, c *float64, ldc int32)

	corename   func() string
	config     func() string
	getThreads func() int32
	setThreads func(int32)
}

func openOpenBLAS(name string) (f *openblasFuncs, err error) {
	h, err := purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f = &openblasFuncs{}
	for _, s := range []struct {
		sym string
		fn  any
	}{
		{"cblas_sgemm", &f.sgemm}, {"cblas_dgemm", &f.dgemm},
		{"openblas_get_corename", &f.corename}, {"openblas_get_config", &f.config},
		{"openblas_get_num_threads", &f.getThreads}, {"openblas_set_num_threads", &f.setThreads},
	} {
		p, err := purego.Dlsym(h, s.sym)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", name, s.sym, err)
		}
		purego.RegisterFunc(s.fn, p)
	}
	return f, nil
}
