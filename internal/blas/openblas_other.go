//go:build !(linux || darwin || freebsd)

package blas

import "errors"

func openOpenBLAS(name string) (*openblasFuncs, error) {
	return nil, errors.New(name + ": loading libraries at run time is not supported on this platform")
}
