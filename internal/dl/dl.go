// Package dl loads shared libraries at run time without cgo (through
// github.com/ebitengine/purego), for evalkit's optional native backends:
// ONNX Runtime, libjpeg-turbo and OpenBLAS. Where the platform cannot load
// libraries, Open returns ErrUnsupported and the backends report it.
package dl

import (
	"errors"
	"runtime"
)

// ErrUnsupported is Open's error on platforms without run-time loading.
var ErrUnsupported = errors.New("loading libraries at run time is not supported on " + runtime.GOOS)

// Scope says whether a library's symbols resolve references of libraries
// loaded after it (Global) or only through Sym (Local).
type Scope int

// The scopes of Open.
const (
	Local Scope = iota
	Global
)
