//go:build !(darwin || freebsd || linux || netbsd)

package dl

// Open returns ErrUnsupported on this platform.
func Open(string, Scope) (uintptr, error) { return 0, ErrUnsupported }

// Sym returns ErrUnsupported on this platform.
func Sym(uintptr, string) (uintptr, error) { return 0, ErrUnsupported }
