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

// FuzzReadCheckpointBounded: reading any bytes allocates no more than what
// their deflated members can expand to (1,032 to 1), times the widening of
// an array's elements, plus a constant.
func FuzzReadCheckpointBounded(f *testing.F) {
	arg, aux := testParams()
	path := filepath.Join(f.TempDir(), "seed.params")
	if err := SaveCheckpoint(path, &Checkpoint{Arg: arg, Aux: aux, Optimizer: []byte("x"), State: &TrainState{Epoch: 1}}); err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		limit := uint64(16*1032*len(b)) + 1<<20
		got := ^uint64(0)
		for try := 0; try < 3 && got > limit; try++ { // TotalAlloc counts every goroutine
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, _ = readCheckpoint(bytes.NewReader(b), int64(len(b)))
			runtime.ReadMemStats(&after)
			got = min(got, after.TotalAlloc-before.TotalAlloc)
		}
		if got > limit {
			t.Fatalf("reading %d bytes allocated %d, want at most %d", len(b), got, limit)
		}
	})
}
