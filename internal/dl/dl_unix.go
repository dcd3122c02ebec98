//go:build darwin || freebsd || linux || netbsd

package dl

import "github.com/ebitengine/purego"

// Open loads the library at path (a file name alone is looked up on the
// loader's search path), resolving every symbol now. The loader's error
// names the library.
func Open(path string, scope Scope) (uintptr, error) {
	mode := purego.RTLD_NOW | purego.RTLD_LOCAL
	if scope == Global {
		mode = purego.RTLD_NOW | purego.RTLD_GLOBAL
	}
	return purego.Dlopen(path, mode)
}

// Sym returns the address of the symbol name in the library h.
func Sym(h uintptr, name string) (uintptr, error) { return purego.Dlsym(h, name) }
