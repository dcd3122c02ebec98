package nd

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestNpyRows(t *testing.T) {
	dir := t.TempDir()
	vals := make([]float32, 5*3)
	for i := range vals {
		vals[i] = float32(i) + 0.5
	}
	p := filepath.Join(dir, "e.npy")
	if err := WriteNpyFile(p, Must(FromFloat32(vals, 5, 3))); err != nil {
		t.Fatal(err)
	}
	r, err := OpenNpyRows(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.DType() != Float32 || !slices.Equal(r.Shape(), []int{5, 3}) {
		t.Fatalf("dtype %s shape %v", r.DType(), r.Shape())
	}
	got := make([]float32, 6)
	if err := r.ReadFloat32(got, 3); err != nil || !slices.Equal(got, vals[9:15]) {
		t.Errorf("rows 3-4: %v %v, want %v", got, err, vals[9:15])
	}
	for _, tc := range []struct {
		n, row int
		want   string
	}{
		{6, 4, "rows [4, 6) are outside the array's 5 rows"},
		{4, 0, "4 elements is not a whole number of 3-element rows"},
		{3, -1, "rows [-1, 0)"},
	} {
		t.Run(fmt.Sprintf("n=%d,row=%d", tc.n, tc.row), func(t *testing.T) {
			if err := r.ReadFloat32(make([]float32, tc.n), tc.row); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadFloat32(%d elements, row %d): err = %v, want %q", tc.n, tc.row, err, tc.want)
			}
		})
	}
	if err := r.ReadFloat64(make([]float64, 3), 0); err == nil || !strings.Contains(err.Error(), "ReadFloat64 on a float32 array") {
		t.Errorf("ReadFloat64 on float32: %v", err)
	}

	p64 := filepath.Join(dir, "d.npy")
	if err := WriteNpyFile(p64, Must(FromFloat64([]float64{1, 2, 3, 4}, 2, 2))); err != nil {
		t.Fatal(err)
	}
	r64, err := OpenNpyRows(p64)
	if err != nil {
		t.Fatal(err)
	}
	got64 := make([]float64, 2)
	if err := r64.ReadFloat64(got64, 1); err != nil || !slices.Equal(got64, []float64{3, 4}) {
		t.Errorf("float64 row 1: %v %v", got64, err)
	}
	r64.Close()

	// Files it cannot stream wrap ErrNotRows; broken files give
	// ReadNpyFile's errors.
	ints := filepath.Join(dir, "i.npy")
	if err := WriteNpyFile(ints, Must(FromInt64([]int64{1, 2}))); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenNpyRows(ints); !errors.Is(err, ErrNotRows) || !strings.Contains(err.Error(), "dtype int64") {
		t.Errorf("int64 file: %v", err)
	}
	for _, tc := range []struct{ descr, fortran, shape, data, want string }{
		{"'>f4'", "False", "(2,)", "\x3f\x80\x00\x00\x40\x00\x00\x00", "big-endian"},
		{"'<f4'", "True", "(2, 2)", strings.Repeat("\x00", 16), "Fortran order"},
		{"'<f8'", "False", "()", strings.Repeat("\x00", 8), "0-d array"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			hdr := "{'descr': " + tc.descr + ", 'fortran_order': " + tc.fortran + ", 'shape': " + tc.shape + ", }"
			hdr += strings.Repeat(" ", 63-(10+len(hdr))%64) + "\n"
			q := filepath.Join(dir, "x.npy")
			os.WriteFile(q, []byte("\x93NUMPY\x01\x00"+string([]byte{byte(len(hdr)), 0})+hdr+tc.data), 0o644)
			if _, err := ReadNpyFile(q); err != nil {
				t.Fatalf("%s: the test file itself is bad: %v", tc.want, err)
			}
			if _, err := OpenNpyRows(q); !errors.Is(err, ErrNotRows) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: err = %v, want ErrNotRows", tc.want, err)
			}
		})
	}
	b, _ := os.ReadFile(p)
	short := filepath.Join(dir, "short.npy")
	os.WriteFile(short, b[:len(b)-5], 0o644)
	if _, err := OpenNpyRows(short); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: %v", err)
	}
	if _, err := OpenNpyRows(filepath.Join(dir, "missing.npy")); err == nil {
		t.Error("missing file: no error")
	}
	bad := filepath.Join(dir, "bad.npy")
	os.WriteFile(bad, []byte("PK\x03\x04 not npy"), 0o644)
	if _, err := OpenNpyRows(bad); err == nil || !strings.Contains(err.Error(), "magic") {
		t.Errorf("zip file: %v", err)
	}
}

// FuzzNpyRows: OpenNpyRows never panics, refuses what ReadNpy refuses,
// and reads every row exactly as ReadNpy does.
func FuzzNpyRows(f *testing.F) {
	addGoldenSeeds(f, ".npy")
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.npy")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := OpenNpyRows(p)
		ref, refErr := ReadNpy(bytes.NewReader(data))
		if err != nil {
			if refErr == nil && !errors.Is(err, ErrNotRows) {
				t.Fatalf("ReadNpy reads it, OpenNpyRows fails: %v", err)
			}
			return
		}
		defer r.Close()
		if refErr != nil {
			t.Fatalf("OpenNpyRows accepted what ReadNpy refuses (%v)", refErr)
		}
		if !slices.Equal(r.Shape(), ref.Shape()) || r.DType() != ref.DType() {
			t.Fatalf("shape %v %s, ReadNpy %v %s", r.Shape(), r.DType(), ref.Shape(), ref.DType())
		}
		switch r.DType() {
		case Float32:
			got := make([]float32, ref.Size())
			if err := r.ReadFloat32(got, 0); err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, ref.Float32s(), func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
				t.Fatalf("rows differ from ReadNpy's")
			}
		case Float64:
			got := make([]float64, ref.Size())
			if err := r.ReadFloat64(got, 0); err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, ref.Float64s(), func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
				t.Fatalf("rows differ from ReadNpy's")
			}
		}
	})
}

func TestNpyRowsEmpty(t *testing.T) {
	p := filepath.Join(t.TempDir(), "e.npy")
	if err := WriteNpyFile(p, Must(Zeros(Float32, 3, 0))); err != nil {
		t.Fatal(err)
	}
	r, err := OpenNpyRows(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.ReadFloat32(nil, 0); err != nil {
		t.Errorf("reading nothing from a (3, 0) array: %v", err)
	}
}
