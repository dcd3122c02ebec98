package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/evalkit/evalkit/nd"
)

// loadArray reads a .npy, or an array of a .npz: FILE.npz:NAME, or the only
// array, or the one named "embeddings". With readOnly, a large float .npy is
// memory-mapped (nd.MapNpyFile) and must not be written to.
func loadArray(spec string, readOnly bool) (*nd.Array, error) {
	path, name := spec, ""
	if i := strings.LastIndex(spec, ".npz:"); i >= 0 {
		path, name = spec[:i+4], spec[i+5:]
	}
	if strings.ToLower(filepath.Ext(path)) != ".npz" {
		if !readOnly {
			return nd.ReadNpyFile(path)
		}
		// Mapped, not copied: a 12000 × 512 file is ready in milliseconds.
		// The mapping lives until the command exits.
		a, _, err := nd.MapNpyFile(path)
		return a, err
	}
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
