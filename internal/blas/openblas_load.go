package blas

import (
	"fmt"

	"github.com/ebitengine/purego"

	"github.com/evalkit/evalkit/internal/dl"
)

func openOpenBLAS(name string) (f *openblasFuncs, err error) {
	h, err := dl.Open(name, dl.Global)
	if err != nil {
		return nil, err // the loader's message names the library
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
		p, err := dl.Sym(h, s.sym)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", name, s.sym, err)
		}
		purego.RegisterFunc(s.fn, p)
	}
	return f, nil
}
