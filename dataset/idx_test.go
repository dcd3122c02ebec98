package dataset

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// A hand-assembled 2×3 unsigned-byte IDX file.
var idx2x3 = []byte{0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestReadIDX(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []byte
	}{{"plain", idx2x3}, {"gzip", gz(idx2x3)}} {
		t.Run(c.name, func(t *testing.T) {
			x, err := ReadIDX(bytes.NewReader(c.in))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if x.Type != IDXUint8 || len(x.Dims) != 2 || x.Dims[0] != 2 || x.Dims[1] != 3 {
				t.Fatalf("%s: got %v %v", c.name, x.Type, x.Dims)
			}
			u, err := x.Uint8s()
			if err != nil || !bytes.Equal(u, []byte{1, 2, 3, 4, 5, 255}) {
				t.Fatalf("%s: data %v, %v", c.name, u, err)
			}
		})
	}
}

func TestReadIDXTypes(t *testing.T) {
	// One element of each type, big-endian: -2 (int8), -300 (int16),
	// 70000 (int32), 1.5 (float32), -0.25 (float64).
	cases := []struct {
		typ  IDXType
		data []byte
		want float64
		dt   nd.DType
	}{
		{IDXInt8, []byte{0xfe}, -2, nd.Int8},
		{IDXInt16, []byte{0xfe, 0xd4}, -300, nd.Int16},
		{IDXInt32, []byte{0, 1, 0x11, 0x70}, 70000, nd.Int32},
		{IDXFloat32, []byte{0x3f, 0xc0, 0, 0}, 1.5, nd.Float32},
		{IDXFloat64, []byte{0xbf, 0xd0, 0, 0, 0, 0, 0, 0}, -0.25, nd.Float64},
	}
	for _, c := range cases {
		in := append([]byte{0, 0, byte(c.typ), 1, 0, 0, 0, 1}, c.data...)
		x, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%v: %v", c.typ, err)
		}
		if got := x.Float64At(0); got != c.want {
			t.Errorf("%v: value %v, want %v", c.typ, got, c.want)
		}
		a, err := x.Array()
		if err != nil || a.DType() != c.dt || a.Float(0) != c.want {
			t.Errorf("%v: array %v (%v), want %v %v", c.typ, a, err, c.dt, c.want)
		}
		if _, err := x.Uint8s(); err == nil {
			t.Errorf("%v: Uint8s accepted a non-byte file", c.typ)
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "want 4 magic bytes"},
		{"bad magic", []byte{1, 0, 8, 1, 0, 0, 0, 0}, "not an IDX file"},
		{"bad type", []byte{0, 0, 7, 1, 0, 0, 0, 0}, "type code 0x07"},
		{"no dims", []byte{0, 0, 8, 0}, "0 dimensions"},
		{"short dims", []byte{0, 0, 8, 2, 0, 0, 0, 1}, "want 2 dimension sizes"},
		{"truncated", idx2x3[:len(idx2x3)-1], "truncated: dimensions [2 3] of unsigned byte need 6 bytes, file has 5"},
		{"trailing", append(append([]byte(nil), idx2x3...), 9), "trailing bytes"},
		{"huge", []byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "more than"},
		{"lying header", []byte{0, 0, 8, 1, 0x7f, 0xff, 0xff, 0xff, 1, 2}, "need 2147483647 bytes, file has 2"},
		{"corrupt gzip", gz(idx2x3)[:20], "unexpected EOF"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadIDX(bytes.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			}
		})
	}
}

func TestWriteIDXFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	x, err := NewIDXUint8([]uint8{9, 8, 7, 6}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, compress := range []bool{false, true} {
		p := filepath.Join(dir, "a.idx")
		if err := WriteIDXFile(p, x, compress); err != nil {
			t.Fatal(err)
		}
		y, err := ReadIDXFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(y.Data, x.Data) || len(y.Dims) != 2 {
			t.Fatalf("round trip (compress %v): %v %v", compress, y.Dims, y.Data)
		}
	}
	if _, err := NewIDXUint8([]uint8{1, 2, 3}, 2, 2); err == nil {
		t.Error("NewIDXUint8 accepted 3 bytes for 2×2")
	}
	// A failed write leaves nothing: the directory does not exist.
	if err := WriteIDXFile(filepath.Join(dir, "missing", "b.idx"), x, false); err == nil {
		t.Error("write into a missing directory succeeded")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries after writes, want only a.idx", len(ents))
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idx2x3)
	f.Add(gz(idx2x3))
	f.Add([]byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0})
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, in []byte) {
		x, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			return
		}
		if len(x.Data) != x.Len()*x.Type.Size() {
			t.Fatalf("accepted %d data bytes for dims %v of %v", len(x.Data), x.Dims, x.Type)
		}
		if x.Len() > 0 {
			_ = x.Float64At(x.Len() - 1)
		}
		if _, err := x.Array(); err != nil {
			t.Fatalf("Array of an accepted file: %v", err)
		}
		var buf bytes.Buffer
		if _, err := x.WriteTo(&buf); err != nil {
			t.Fatalf("WriteTo of an accepted file: %v", err)
		}
		y, err := ReadIDX(&buf)
		if err != nil || !bytes.Equal(y.Data, x.Data) {
			t.Fatalf("re-read of written file: %v", err)
		}
	})
}
