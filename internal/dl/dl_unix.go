//go:build darwin || freebsd || linux || netbsd

package dl

import (
	"runtime"

	"github.com/ebitengine/purego"
)

// Open loads the library at path (a file name alone is looked up on the
// loader's search path), resolving every symbol now. The loader's error
// names the library.
func Open(path string, scope Scope) (uintptr, error) {
	mode := purego.RTLD_NOW | purego.RTLD_LOCAL
	if scope == Global {
		mode = purego.RTLD_NOW | purego.RTLD_GLOBAL
	}
	// dlerror reports the calling thread's last error: dlopen and the
	// dlerror purego calls after it must run on one OS thread, or the
	// message is another thread's (often empty).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return purego.Dlopen(path, mode)
}

// Sym returns the address of the symbol name in the library h.
func Sym(h uintptr, name string) (uintptr, error) {
	runtime.LockOSThread() // as in Open: dlsym and dlerror on one thread
	defer runtime.UnlockOSThread()
	return purego.Dlsym(h, name)
}
