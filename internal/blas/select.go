package blas

import (
	"fmt"
	"os"
)

// Select returns the backend named by name: "gonum", "openblas" (an error
// when OpenBLAS cannot be loaded) or "auto" (OpenBLAS when it loads, else
// gonum). The empty name is "gonum", the pure-Go default.
func Select(name string) (Backend, error) {
	switch name {
	case "", "gonum":
		return Gonum{}, nil
	case "openblas":
		o, err := LoadOpenBLAS()
		if err != nil {
			return nil, err
		}
		return o, nil
	case "auto":
		if o, err := LoadOpenBLAS(); err == nil {
			return o, nil
		}
		return Gonum{}, nil
	}
	return nil, fmt.Errorf("blas: backend %q, want gonum, openblas or auto", name)
}

// Describe is a one-line account of backend b for logs and reports: for
// OpenBLAS the library, the kernel it runs and OPENBLAS_CORETYPE when set.
func Describe(b Backend) string {
	o, ok := b.(*OpenBLAS)
	if !ok {
		return b.Name() + " (pure Go)"
	}
	s := o.String()
	if ct := os.Getenv("OPENBLAS_CORETYPE"); ct != "" {
		s += ", OPENBLAS_CORETYPE=" + ct
	}
	return s
}
