package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/evalkit/evalkit/identify"
	"github.com/evalkit/evalkit/nd"
)

// loadArray reads a .npy, or an array of a .npz: FILE.npz:NAME, or the only
// array, or the one named "embeddings". With readOnly, a large float .npy is
// memory-mapped (nd.MapNpyFile) and must not be written to; the mapping
// lives until the command exits.
func loadArray(spec string, readOnly bool) (*nd.Array, error) {
	a, _, err := loadArrayRelease(spec, readOnly)
	return a, err
}

// loadArrayRelease is loadArray that also returns a function releasing the
// mapping of a mapped array (a no-op otherwise), after which the array must
// not be read: a command done with a large input early unmaps it while it
// works on, rather than leaving the unmapping to the end of the process.
func loadArrayRelease(spec string, readOnly bool) (*nd.Array, func() error, error) {
	noop := func() error { return nil }
	path, name := spec, ""
	if i := strings.LastIndex(spec, ".npz:"); i >= 0 {
		path, name = spec[:i+4], spec[i+5:]
	}
	if strings.ToLower(filepath.Ext(path)) != ".npz" {
		if !readOnly {
			a, err := nd.ReadNpyFile(path)
			return a, noop, err
		}
		// Mapped, not copied: a 12000 × 512 file is ready in milliseconds.
		return nd.MapNpyFile(path)
	}
	a, err := loadNpzArray(path, name)
	return a, noop, err
}

// loadNpzArray reads the array name of the .npz at path ("" for the only
// one, or the one named "embeddings").
func loadNpzArray(path, name string) (*nd.Array, error) {
	z, err := nd.ReadNpzFile(path)
	if err != nil {
		return nil, err
	}
	if name == "" {
		if len(z.Arrays) == 1 {
			return z.Arrays[0], nil
		}
		name = "embeddings"
	}
	a, ok := z.Get(name)
	if !ok {
		return nil, fmt.Errorf("%s has no array %q (it has %s); name one as %s:NAME", path, name, strings.Join(z.Names, ", "), path)
	}
	return a, nil
}

// loadFeatures maps a feature .npy (or loads a .npz member) as a Matrix.
func loadFeatures(spec, what string) (identify.Matrix, error) {
	a, err := loadArray(spec, true)
	if err != nil {
		return identify.Matrix{}, fmt.Errorf("%s: %w", what, err)
	}
	m, err := identify.MatrixFromArray(a)
	if err != nil {
		return identify.Matrix{}, fmt.Errorf("%s %s: %w", what, spec, err)
	}
	return m, nil
}

// loadIDs reads an integer identity vector of n entries.
func loadIDs(spec, what string, n int) ([]int64, error) {
	a, err := loadArray(spec, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if a.DType().IsFloat() || a.Int64s() == nil {
		return nil, fmt.Errorf("%s %s: identities must be integers, got %s", what, spec, a.DType())
	}
	if a.Size() != n || (a.NDim() != 1 && !(a.NDim() == 2 && a.Dim(1) == 1)) {
		return nil, fmt.Errorf("%s %s: shape %s, want (%d,), one identity per feature row", what, spec, nd.ShapeString(a.Shape()), n)
	}
	return a.Int64s(), nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
