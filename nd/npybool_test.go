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

	// Integer arrays of 0 and 1, in any width and byte order, read as
	// labels; any other value wraps ErrNotBool.
	for _, dt := range []DType{Int8, Uint8, Int16, Uint16, Int32, Uint32, Int64, Uint64} {
		p := filepath.Join(dir, dt.String()+".npy")
		if err := WriteNpyFile(p, Must(FromInts(dt, []int64{0, 1, 1, 0, 1}))); err != nil {
			t.Fatal(err)
		}
		got, shape, err := ReadNpyFileBool(p)
		if err != nil || !slices.Equal(got, []bool{false, true, true, false, true}) || !slices.Equal(shape, []int{5}) {
			t.Errorf("%s: %v %v %v", dt, got, shape, err)
		}
	}
	hdr := "{'descr': '>i2', 'fortran_order': False, 'shape': (3,), }"
	hdr += strings.Repeat(" ", 63-(10+len(hdr))%64) + "\n"
	npy := func(data string) []byte {
		return []byte("\x93NUMPY\x01\x00" + string([]byte{byte(len(hdr)), 0}) + hdr + data)
	}
	if got, _, err := ReadNpyBool(bytes.NewReader(npy("\x00\x01\x00\x00\x00\x01"))); err != nil || !slices.Equal(got, []bool{true, false, true}) {
		t.Errorf("big-endian int16 [1, 0, 1]: %v %v", got, err)
	}
	if got, _, err := ReadNpyBool(bytes.NewReader(npy("\x00\x01\x01\x00\xff\xff"))); !errors.Is(err, ErrNotBool) || !strings.Contains(err.Error(), "element 1 is not 0 or 1 (int16)") {
		t.Errorf("big-endian int16 [1, 256, -1]: %v %v, want ErrNotBool at element 1", got, err)
	}
	two := filepath.Join(dir, "two.npy")
	if err := WriteNpyFile(two, Must(FromInt64([]int64{1, 0, 2}))); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadNpyFileBool(two); !errors.Is(err, ErrNotBool) || !strings.Contains(err.Error(), "element 2 is not 0 or 1 (int64)") {
		t.Errorf("int64 [1 0 2]: err = %v", err)
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
// every input, whether or not the input's length is known: the same labels
// for bool arrays and integer arrays of 0 and 1, ErrNotBool for float
// arrays and other integers, an error where ReadNpy fails.
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
		case ref.DType().IsFloat() || (ref.DType() != Bool && slices.ContainsFunc(ref.Int64s(), func(v int64) bool { return v != 0 && v != 1 })):
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
