package nd

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// boolsOf returns ReadNpy's reading of a bool .npy as []bool.
func boolsOf(t *testing.T, a *Array) []bool {
	t.Helper()
	out := make([]bool, a.Size())
	for i, v := range a.Int64s() {
		out[i] = v != 0
	}
	return out
}

func TestReadNpyBool(t *testing.T) {
	dir := t.TempDir()
	vals := []int64{1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0}
	a := Must(FromInts(Bool, vals, 3, 4))
	path := filepath.Join(dir, "labels.npy")
	if err := WriteNpyFile(path, a); err != nil {
		t.Fatal(err)
	}
	got, shape, err := ReadNpyFileBool(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, false, false, true, true, true, false, true, false, false, true, false}
	if !slices.Equal(got, want) || !slices.Equal(shape, []int{3, 4}) {
		t.Errorf("got %v %v, want %v [3 4]", got, shape, want)
	}

	// Fortran order is returned in C order; any nonzero byte is true.
	raw := []byte("\x93NUMPY\x01\x00\x46\x00{'descr': '|b1', 'fortran_order': True, 'shape': (2, 3), }           \n\x00\x07\x01\x00\x00\x02")
	got, shape, err = ReadNpyBool(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := ReadNpy(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, boolsOf(t, ref)) || !slices.Equal(shape, []int{2, 3}) {
		t.Errorf("fortran: got %v %v, ReadNpy %v", got, shape, boolsOf(t, ref))
	}
	if !slices.Equal(got, []bool{false, true, false, true, false, true}) {
		t.Errorf("fortran: got %v, want [false true false true false true]", got)
	}

	// Another dtype wraps ErrNotBool; a short file names the sizes.
	fpath := filepath.Join(dir, "f.npy")
	if err := WriteNpyFile(fpath, Must(FromFloat64([]float64{0, 1}))); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadNpyFileBool(fpath); !errors.Is(err, ErrNotBool) || !strings.Contains(err.Error(), "float64") {
		t.Errorf("float64 file: err = %v, want ErrNotBool naming float64", err)
	}
	if _, _, err := ReadNpyBool(bytes.NewReader(raw[:len(raw)-2])); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("short input: err = %v, want a truncation error", err)
	}
	if _, _, err := ReadNpyBool(onlyReader{bytes.NewReader(raw[:len(raw)-2])}); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("short stream: err = %v, want a truncation error", err)
	}
}

// FuzzReadNpyBool: ReadNpyBool never panics and agrees with ReadNpy on
// every input, whether or not the input's length is known.
func FuzzReadNpyBool(f *testing.F) {
	addGoldenSeeds(f, ".npy")
	f.Add([]byte("\x93NUMPY\x03\x00\x31\x00\x00\x00{\"descr\":\"|b1\",\"fortran_order\":False,\"shape\":()}\n\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, shape, err := ReadNpyBool(bytes.NewReader(data))
		got2, _, err2 := ReadNpyBool(onlyReader{bytes.NewReader(data)})
		if (err == nil) != (err2 == nil) || !slices.Equal(got, got2) {
			t.Fatalf("known length: %v %v; unknown length: %v %v", got, err, got2, err2)
		}
		ref, refErr := ReadNpy(bytes.NewReader(data))
		switch {
		case refErr != nil:
			if err == nil {
				t.Fatalf("ReadNpyBool accepted what ReadNpy refuses (%v)", refErr)
			}
		case ref.DType() != Bool:
			if !errors.Is(err, ErrNotBool) {
				t.Fatalf("dtype %s: err = %v, want ErrNotBool", ref.DType(), err)
			}
		default:
			if err != nil {
				t.Fatalf("ReadNpy reads it, ReadNpyBool fails: %v", err)
			}
			if !slices.Equal(got, boolsOf(t, ref)) || !slices.Equal(shape, ref.Shape()) {
				t.Fatalf("got %v %v, ReadNpy %v %v", got, shape, boolsOf(t, ref), ref.Shape())
			}
		}
	})
}
