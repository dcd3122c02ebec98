//go:build unix

package nd

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// mapThenTruncate maps a 600 × 512 float32 file, then truncates it to its
// header, as np.save over the same path does first.
func mapThenTruncate(t *testing.T) (*Array, string, int64) {
	t.Helper()
	a := Must(FromFloat32(make([]float32, 600*512), 600, 512))
	a.f32[600*512-1] = 1
	p := filepath.Join(t.TempDir(), "emb.npy")
	if err := WriteNpyFile(p, a); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	m, release, err := MapNpyFile(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = release() })
	if m.f32 == nil || &m.f32[0] == &a.f32[0] {
		t.Fatal("not mapped")
	}
	if err := os.Truncate(p, 128); err != nil {
		t.Fatal(err)
	}
	return m, p, st.Size()
}

func TestGuardMappedTurnsTruncationIntoError(t *testing.T) {
	m, p, size := mapThenTruncate(t)
	var sum float32
	err := GuardMapped(func() error {
		for _, v := range m.f32 {
			sum += v
		}
		return nil
	})
	var fe *MappedFileError
	if !errors.As(err, &fe) || fe.Path != p || fe.Mapped != size || fe.Now != 128 {
		t.Fatalf("err = %v, want a MappedFileError for %s (%d bytes, now 128)", err, p, size)
	}
	t.Log(err)
}

func TestGuardMappedCoversRowWorkers(t *testing.T) {
	// ArgMaxRowsFloat32 reads a 1.2 MB input in nd's worker goroutines too.
	m, p, _ := mapThenTruncate(t)
	dst := make([]int64, 600)
	err := GuardMapped(func() error {
		ArgMaxRowsFloat32(m.f32, 512, dst)
		return nil
	})
	var fe *MappedFileError
	if !errors.As(err, &fe) || fe.Path != p {
		t.Fatalf("err = %v, want a MappedFileError for %s", err, p)
	}
	// The pool still works afterwards.
	b := Must(FromFloat32(make([]float32, 600*512), 600, 512))
	b.f32[5*512+7] = 1
	ArgMaxRowsFloat32(b.f32, 512, dst)
	if dst[5] != 7 || dst[6] != 0 {
		t.Errorf("after a fault: dst[5], dst[6] = %d, %d, want 7, 0", dst[5], dst[6])
	}
}

func TestGuardMappedPassesOtherPanics(t *testing.T) {
	defer func() {
		if p := recover(); p != "boom" {
			t.Errorf("recovered %v, want boom", p)
		}
	}()
	_ = GuardMapped(func() error { panic("boom") })
	t.Error("no panic")
}

func TestGuardMappedReturnsError(t *testing.T) {
	want := errors.New("x")
	if err := GuardMapped(func() error { return want }); err != want {
		t.Errorf("err = %v", err)
	}
}
