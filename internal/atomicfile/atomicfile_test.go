package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.bin")
	if err := WriteBytes(p, []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	// A failing writer leaves the old content and no temporary file.
	boom := errors.New("boom")
	err := Write(p, func(w io.Writer) error {
		_, _ = w.Write([]byte("partial"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "first" {
		t.Errorf("content after a failed write = %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only the file", len(ents))
	}
	// A successful rewrite keeps the permissions.
	if err := WriteBytes(p, []byte("second")); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if b, _ := os.ReadFile(p); string(b) != "second" || st.Mode().Perm() != 0o600 {
		t.Errorf("got %q mode %v", b, st.Mode().Perm())
	}
	// A directory in the way is an error, not a replacement.
	if err := WriteBytes(dir, []byte("x")); err == nil {
		t.Error("writing over a directory: want an error")
	}
	// A missing directory is an error.
	if err := WriteBytes(filepath.Join(dir, "no", "such"), []byte("x")); err == nil {
		t.Error("missing directory: want an error")
	}
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "checkpoint.npz")
	names := map[string]bool{ // name → stale
		".checkpoint.npz.tmp123": true, ".checkpoint.npz.tmp9": true,
		".checkpoint.npz.tmp": false, ".checkpoint.npz.tmpx": false, ".checkpoint.npz.tmp1.bak": false,
		"checkpoint.npz": false, ".curves.png.tmp1": false,
	}
	for n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".checkpoint.npz.tmp55"), 0o755); err != nil { // not a file: kept
		t.Fatal(err)
	}
	removed, err := RemoveStale(path)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(removed)
	if want := []string{".checkpoint.npz.tmp123", ".checkpoint.npz.tmp9"}; !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	for n, stale := range names {
		_, err := os.Stat(filepath.Join(dir, n))
		if stale != os.IsNotExist(err) {
			t.Errorf("%s: stat %v, stale %v", n, err, stale)
		}
	}
	if r, err := RemoveStale(filepath.Join(dir, "nope", "x")); err != nil || r != nil {
		t.Errorf("missing directory: %v, %v", r, err)
	}
}
