package fit

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLoadCheckpointBoundsStateJSON(t *testing.T) {
	// A state.json that inflates from about 0.1 MB to 96 MB is refused from
	// its declared size, before anything is allocated for it (the old
	// reader grew a buffer to hundreds of MB before the JSON error).
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: memberState, Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte{' '}, 1<<20)
	for range 96 {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bomb.params")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = LoadCheckpoint(path)
	runtime.ReadMemStats(&after)
	want := `member "evalkit:state.json": declares 100663296 bytes, more than the 67108864 this file may hold`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to contain %q", err, want)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("loading allocated %d bytes, want at most %d", got, 16<<20)
	}
}
