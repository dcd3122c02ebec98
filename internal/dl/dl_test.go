//go:build linux

package dl

import (
	"strings"
	"testing"
)

// libc is on every Linux machine: Open finds it by name and Sym finds a
// function in it; a missing library and a missing symbol are errors that
// name them.
func TestOpenSym(t *testing.T) {
	h, err := Open("libc.so.6", Local)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := Sym(h, "strlen"); err != nil || p == 0 {
		t.Errorf("Sym(strlen) = %#x, %v", p, err)
	}
	if _, err := Sym(h, "evalkit_no_such_symbol"); err == nil || !strings.Contains(err.Error(), "evalkit_no_such_symbol") {
		t.Errorf("missing symbol: err = %v", err)
	}
	if _, err := Open("libevalkit-missing.so.9", Global); err == nil || !strings.Contains(err.Error(), "libevalkit-missing.so.9") {
		t.Errorf("missing library: err = %v", err)
	}
}
