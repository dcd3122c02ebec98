package nd

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const goldenDir = "../testdata/nd"

// golden is expected.json, written by testdata/nd/gen_npy.py.
type golden struct {
	NumpyVersion string                 `json:"numpy_version"`
	Files        map[string]goldenEntry `json:"files"`
}

type goldenEntry struct {
	DType   string                 `json:"dtype"`
	Shape   []int                  `json:"shape"`
	Values  []json.Number          `json:"values"`
	Bits    []uint16               `json:"bits"`
	Fortran bool                   `json:"fortran"`
	Version []int                  `json:"version"`
	Members []string               `json:"members"`
	Arrays  map[string]goldenEntry `json:"arrays"`
}

// UnmarshalJSON keeps "nan", "inf" and "-inf" as json.Numbers too.
func (e *goldenEntry) UnmarshalJSON(b []byte) error {
	type plain goldenEntry
	var raw struct {
		plain
		Values []any `json:"values"`
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		return err
	}
	*e = goldenEntry(raw.plain)
	e.Values = make([]json.Number, len(raw.Values))
	for i, v := range raw.Values {
		switch x := v.(type) {
		case json.Number:
			e.Values[i] = x
		case string:
			e.Values[i] = json.Number(x)
		default:
			return fmt.Errorf("value %d: unexpected %T", i, v)
		}
	}
	return nil
}

func loadGolden(t testing.TB) *golden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Files) == 0 {
		t.Fatal("expected.json lists no files")
	}
	return &g
}

// checkAgainst compares a with a golden entry: dtype, shape, values
// (floats bit-exact up to NaN, -0 distinguished), float16 bits.
func checkAgainst(a *Array, e goldenEntry) error {
	if a.DType().String() != e.DType {
		return fmt.Errorf("dtype %s, want %s", a.DType(), e.DType)
	}
	if !slices.Equal(a.Shape(), e.Shape) {
		return fmt.Errorf("shape %s, want %s", ShapeString(a.Shape()), ShapeString(e.Shape))
	}
	if a.Size() != len(e.Values) {
		return fmt.Errorf("size %d, want %d", a.Size(), len(e.Values))
	}
	for i, v := range e.Values {
		if a.DType().IsFloat() {
			var want float64
			switch v {
			case "nan":
				want = math.NaN()
			case "inf":
				want = math.Inf(1)
			case "-inf":
				want = math.Inf(-1)
			default:
				f, err := strconv.ParseFloat(string(v), 64)
				if err != nil {
					return err
				}
				want = f
			}
			got := a.Float(i)
			if math.IsNaN(want) != math.IsNaN(got) || (!math.IsNaN(want) && (got != want || math.Signbit(got) != math.Signbit(want))) {
				return fmt.Errorf("element %d = %v, want %v", i, got, want)
			}
			continue
		}
		want, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return err
		}
		if got := a.Int64s()[i]; got != want {
			return fmt.Errorf("element %d = %d, want %d", i, got, want)
		}
	}
	if e.Bits != nil {
		for i, w := range e.Bits {
			if got := Float32ToFloat16(a.Float32s()[i]); got != w {
				return fmt.Errorf("float16 element %d bits %#04x, want %#04x", i, got, w)
			}
		}
	}
	return nil
}

// onlyReader hides Len, Seek and the like, so ReadNpy cannot know the
// stream's length.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestReadGoldenNpy(t *testing.T) {
	g := loadGolden(t)
	n := 0
	for name, e := range g.Files {
		if !strings.HasSuffix(name, ".npy") {
			continue
		}
		n++
		path := filepath.Join(goldenDir, name)
		a, err := ReadNpyFile(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := checkAgainst(a, e); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The same through a reader of unknown length, and one that knows.
		for _, r := range []io.Reader{onlyReader{bytes.NewReader(raw)}, bytes.NewReader(raw)} {
			b, err := ReadNpy(r)
			if err != nil {
				t.Errorf("%s via %T: %v", name, r, err)
				continue
			}
			if err := checkAgainst(b, e); err != nil {
				t.Errorf("%s via %T: %v", name, r, err)
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d golden .npy files in expected.json", n)
	}
}

// TestWriteMatchesNumpy rewrites every golden file numpy saved in C order,
// little-endian, version 1.0 and expects numpy's bytes exactly.
func TestWriteMatchesNumpy(t *testing.T) {
	g := loadGolden(t)
	n := 0
	for name, e := range g.Files {
		if !strings.HasSuffix(name, ".npy") || strings.Contains(name, "_be") || e.Fortran || e.Version != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(goldenDir, name))
		if err != nil {
			t.Fatal(err)
		}
		a, err := ReadNpy(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var b bytes.Buffer
		if err := WriteNpy(&b, a); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(b.Bytes(), raw) {
			t.Errorf("%s: WriteNpy differs from numpy's file:\n got %q\nwant %q", name, b.Bytes(), raw)
		}
		n++
	}
	if n < 15 {
		t.Errorf("compared only %d files", n)
	}
}

func TestReadFortranOrder(t *testing.T) {
	// Hand-worked: a (2, 3) array [[0, 1, 2], [3, 4, 5]] stored column by
	// column is 0 3 1 4 2 5.
	data := []float64{0, 3, 1, 4, 2, 5}
	raw := npyWithHeader(t, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", data)
	a, err := ReadNpy(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{0, 1, 2, 3, 4, 5}, a.Float64s()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// (2, 2, 2): element [i][j][k] = 100i + 10j + k, stored with i fastest.
	var f []float64
	for k := range 2 {
		for j := range 2 {
			for i := range 2 {
				f = append(f, float64(100*i+10*j+k))
			}
		}
	}
	raw = npyWithHeader(t, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2, 2), }", f)
	if a, err = ReadNpy(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{0, 1, 10, 11, 100, 101, 110, 111}, a.Float64s()); diff != "" {
		t.Errorf("rank 3 (-want +got):\n%s", diff)
	}
}

// npyWithHeader builds a version 1.0 .npy from a header dict and data.
func npyWithHeader(t testing.TB, dict string, data any) []byte {
	var b bytes.Buffer
	b.WriteString(npyMagic + "\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)+1))
	b.WriteString(dict + "\n")
	if data != nil {
		if err := binary.Write(&b, binary.LittleEndian, data); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func TestHeaderSyntax(t *testing.T) {
	for _, dict := range []string{
		"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
		"{'descr':'<f4','fortran_order':False,'shape':(2,2)}",
		"  {  'shape' : ( 2 , 2 , ) ,\n 'descr' : \"<f4\" , 'fortran_order' : False ,\t}   \x00\x00",
		"{u'descr': u'<f4', 'fortran_order': False, 'shape': (2L, 2L), }",
		"{'descr': 'float32', 'fortran_order': False, 'shape': [2, 2], 'extra': None, }",
		"{'descr': '=f4', 'fortran_order': False, 'shape': (2, 2), }",
		"{'descr': 'f4', 'fortran_order': False, 'shape': (2, 2), }",
	} {
		raw := npyWithHeader(t, dict, []float32{1, 2, 3, 4})
		a, err := ReadNpy(bytes.NewReader(raw))
		if err != nil {
			t.Errorf("%q: %v", dict, err)
			continue
		}
		if a.String() != "float32(2, 2)" || !slices.Equal(a.Float32s(), []float32{1, 2, 3, 4}) {
			t.Errorf("%q: got %v %v", dict, a, a.Float32s())
		}
	}
	for dict, shape := range map[string]string{
		"{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }":  "(4,)",
		"{'descr': '<f4', 'fortran_order': False, 'shape': (4), }":   "",
		"{'descr': '<f4', 'fortran_order': False, 'shape': (), }":    "()",
		"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1), }": "(1, 1)",
	} {
		data := []float32{1, 2, 3, 4}
		if shape == "()" || shape == "(1, 1)" {
			data = data[:1]
		}
		a, err := ReadNpy(bytes.NewReader(npyWithHeader(t, dict, data)))
		if shape == "" { // (4) is the int 4, not a tuple
			if err == nil || !strings.Contains(err.Error(), "'shape' is a int, want a tuple") {
				t.Errorf("%q: error %v", dict, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", dict, err)
		} else if got := ShapeString(a.Shape()); got != shape {
			t.Errorf("%q: shape %s, want %s", dict, got, shape)
		}
	}
}

func TestReadErrors(t *testing.T) {
	f32x12 := make([]float32, 12)
	v1 := func(dict string, data any) []byte { return npyWithHeader(t, dict, data) }
	hdr := func(shape string) string {
		return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }"
	}
	full := v1(hdr("(3, 4)"), f32x12)
	for _, c := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, `nd: empty .npy input`},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), `nd: bad .npy magic: got "PK\x03\x04\x14\x00", want "\x93NUMPY" (this is a zip archive: an .npz? read it with ReadNpz)`},
		{"text", []byte("hello"), `nd: bad .npy magic: got "hello", want "\x93NUMPY"`},
		{"short", []byte("\x93NUM"), `nd: .npy input too short: got 4 bytes, want at least 10`},
		{"no length", []byte("\x93NUMPY\x01\x00\x05"), `nd: .npy input too short: no header length after the version`},
		{"version", []byte("\x93NUMPY\x04\x00\x10\x00"), `nd: unsupported .npy format version 4.0 (want 1.0, 2.0 or 3.0)`},
		{"header truncated", full[:40], `nd: .npy header truncated: header length says 60 bytes, got 30`},
		{"data truncated", full[:len(full)-28], `nd: .npy data truncated: header says float32 (3, 4) = 48 bytes, file has 20`},
		{"header limit", []byte("\x93NUMPY\x02\x00\x00\x00\x00\x7f"), `nd: .npy header length 2130706432 exceeds the limit of 1048576 bytes`},
		{"not a dict", v1("('<f4', False, (3,))", nil), `want a dict {'descr': …, 'fortran_order': …, 'shape': …}, got a tuple`},
		{"no shape", v1("{'descr': '<f4', 'fortran_order': False}", nil), `has no 'shape' key`},
		{"no descr", v1("{'shape': (1,), 'fortran_order': False}", nil), `has no 'descr' key`},
		{"order not bool", v1("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", nil), `'fortran_order' is a int, want True or False`},
		{"negative dim", v1(hdr("(3, -4)"), nil), `negative dimension -4 in shape (3, -4)`},
		{"float dim", v1(hdr("(3.0, 4)"), nil), `non-integer number "3."`},
		{"str dim", v1(hdr("('3', 4)"), nil), `'shape' element 0 is a string, want an int`},
		{"huge dim", v1(hdr("(99999999999999999999,)"), nil), `integer 99999999999999999999 out of range`},
		{"overflow", v1(hdr("(4294967296, 4294967296)"), nil), `shape (4294967296, 4294967296) has too many elements`},
		{"bytes overflow", v1(hdr("(4611686018427387904,)"), nil), `shape (4611686018427387904,) of float32 has too many bytes`},
		{"huge but fits", v1(hdr("(1000000000000,)"), nil), `nd: .npy data truncated: header says float32 (1000000000000,) = 4000000000000 bytes, file has 0`},
		{"unterminated", v1("{'descr': '<f4", nil), `newline in string literal`},
		{"unterminated at end", []byte("\x93NUMPY\x01\x00\x05\x00{'abc"), `unterminated string literal`},
		{"missing colon", v1("{'descr' '<f4'}", nil), `want ':' after dict key "descr"`},
		{"missing comma", v1("{'descr': '<f4' 'shape': (1,)}", nil), `want ',' or '}' in dict`},
		{"trailing junk", v1(hdr("(1,)")+" x", nil), `unexpected 'x' after the dict`},
		{"unknown name", v1("{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}", nil), `unexpected name "false"`},
		{"deep", v1(strings.Repeat("(", 100), nil), `nesting deeper than 32`},
		{"empty header", v1("", nil), `unexpected end of header, want a value`},
		{"object", v1("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", nil), `unsupported .npy dtype "|O": a Python object array, which needs pickle; save a numeric array instead`},
		{"complex", v1("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", nil), `nd: unsupported .npy dtype "<c8" (complex64)`},
		{"longdouble", v1("{'descr': '<f16', 'fortran_order': False, 'shape': (1,)}", nil), `unsupported .npy dtype "<f16" (float128, numpy's longdouble)`},
		{"odd size", v1("{'descr': '<i3', 'fortran_order': False, 'shape': (1,)}", nil), `unsupported .npy dtype "<i3"; evalkit reads bool`},
		{"empty descr", v1("{'descr': '', 'fortran_order': False, 'shape': (1,)}", nil), `unsupported .npy dtype "": empty type string`},
		{"structured", v1("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,)}", nil), `structured (record) dtype`},
		{"uint64 too big", v1("{'descr': '<u8', 'fortran_order': False, 'shape': (2,)}", []uint64{1, 1 << 63}), `.npy uint64 element 1 is 9223372036854775808, above the int64 range`},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []io.Reader{bytes.NewReader(c.in), onlyReader{bytes.NewReader(c.in)}} {
				a, err := ReadNpy(r)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s (%T): got %v, %v; want error containing %q", c.name, r, a, err, c.want)
				}
			}
		})
	}
}

func TestReadGoldenRejects(t *testing.T) {
	for name, want := range map[string]string{
		"bad_object.npy":     `unsupported .npy dtype "|O": a Python object array`,
		"bad_complex64.npy":  `unsupported .npy dtype "<c8" (complex64)`,
		"bad_unicode.npy":    `unsupported .npy dtype "<U2" (unicode string)`,
		"bad_u8_big.npy":     `uint64 element 1 is 9223372036854775808`,
		"bad_structured.npy": `structured (record) dtype`,
	} {
		path := filepath.Join(goldenDir, name)
		_, err := ReadNpyFile(path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want it to name the file and contain %q", name, err, want)
		}
	}
	_, err := ReadNpyFile(filepath.Join(goldenDir, "eval.npz"))
	if err == nil || !strings.Contains(err.Error(), "read it with ReadNpz") {
		t.Errorf("reading an .npz as .npy: %v", err)
	}
	if _, err := ReadNpyFile(filepath.Join(goldenDir, "missing.npy")); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// roundTripArrays has one array per dtype and shape family, with the
// extremes of each integer type.
func roundTripArrays() []*Array {
	var out []*Array
	ints := map[DType][]int64{
		Bool:   {0, 1, 1, 0, 1, 0},
		Int8:   {math.MinInt8, -1, 0, 1, 2, math.MaxInt8},
		Int16:  {math.MinInt16, -1, 0, 1, 2, math.MaxInt16},
		Int32:  {math.MinInt32, -1, 0, 1, 2, math.MaxInt32},
		Int64:  {math.MinInt64, -1, 0, 1, 1<<53 + 1, math.MaxInt64},
		Uint8:  {0, 1, 2, 127, 128, math.MaxUint8},
		Uint16: {0, 1, 2, 3, 1 << 15, math.MaxUint16},
		Uint32: {0, 1, 2, 3, 1 << 31, math.MaxUint32},
		Uint64: {0, 1, 2, 3, 1 << 62, math.MaxInt64},
	}
	floats := []float64{0, math.Copysign(0, -1), 1.5, -2.25, math.Inf(1), math.Inf(-1), math.NaN(), 1e-3, 65504, 1.0 / 3}
	for dt := Float32; dt <= Uint64; dt++ {
		var full *Array
		switch dt.storage() {
		case Int64:
			full = Must(FromInts(dt, ints[dt], 2, 3))
		case Float64:
			full = Must(FromFloat64(slices.Clone(floats), 2, 5))
		default:
			f := make([]float32, len(floats))
			for i, v := range floats {
				f[i] = float32(v)
				if dt == Float16 {
					f[i] = Float16ToFloat32(Float32ToFloat16(f[i]))
				}
			}
			full = &Array{dtype: dt, shape: []int{5, 2}, f32: f}
		}
		flat := Must(full.Reshape(-1))
		scalar := Must(flat.Row(1))
		empty := Must(Zeros(dt, 0, 3))
		out = append(out, full, flat, scalar, empty, Must(full.Reshape(1, 1, -1)))
	}
	return out
}

func sameArray(a, b *Array) error {
	if a.DType() != b.DType() || !slices.Equal(a.Shape(), b.Shape()) || a.Size() != b.Size() {
		return fmt.Errorf("%v (size %d) != %v (size %d)", a, a.Size(), b, b.Size())
	}
	for i := range a.Size() {
		switch a.DType().storage() {
		case Float32:
			if x, y := math.Float32bits(a.f32[i]), math.Float32bits(b.f32[i]); x != y {
				return fmt.Errorf("element %d: bits %#x != %#x", i, x, y)
			}
		case Float64:
			if x, y := math.Float64bits(a.f64[i]), math.Float64bits(b.f64[i]); x != y {
				return fmt.Errorf("element %d: bits %#x != %#x", i, x, y)
			}
		default:
			if a.i64[i] != b.i64[i] {
				return fmt.Errorf("element %d: %d != %d", i, a.i64[i], b.i64[i])
			}
		}
	}
	return nil
}

func TestNpyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for i, a := range roundTripArrays() {
		var b bytes.Buffer
		if err := WriteNpy(&b, a); err != nil {
			t.Fatalf("%v: %v", a, err)
		}
		if b.Len()%npyAlign != a.Size()*a.DType().itemSize()%npyAlign {
			t.Errorf("%v: data does not start on a %d-byte boundary", a, npyAlign)
		}
		got, err := ReadNpy(&b)
		if err != nil {
			t.Fatalf("%v: %v", a, err)
		}
		if err := sameArray(a, got); err != nil {
			t.Errorf("round trip: %v", err)
		}
		path := filepath.Join(dir, fmt.Sprintf("a%d.npy", i))
		if err := WriteNpyFile(path, a); err != nil {
			t.Fatal(err)
		}
		got, err = ReadNpyFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameArray(a, got); err != nil {
			t.Errorf("file round trip: %v", err)
		}
	}
}

func TestNpyVersion2Header(t *testing.T) {
	// A shape with enough dimensions that the header passes 65,535 bytes.
	shape := make([]int, 25000)
	for i := range shape {
		shape[i] = 1
	}
	a := Must(FromFloat32([]float32{42}, shape...))
	var b bytes.Buffer
	if err := WriteNpy(&b, a); err != nil {
		t.Fatal(err)
	}
	if v := b.Bytes()[6:8]; v[0] != 2 || v[1] != 0 {
		t.Fatalf("version %d.%d, want 2.0", v[0], v[1])
	}
	if (b.Len()-4)%npyAlign != 0 {
		t.Errorf("data at offset %d, not %d-aligned", b.Len()-4, npyAlign)
	}
	got, err := ReadNpy(&b)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameArray(a, got); err != nil {
		t.Error(err)
	}
}

func TestWriteRangeErrors(t *testing.T) {
	for _, c := range []struct {
		dt   DType
		v    int64
		want string
	}{
		{Uint8, 300, "cannot write uint8(3,): element 2 is 300, outside uint8's range [0, 255]"},
		{Int8, -129, "element 2 is -129, outside int8's range [-128, 127]"},
		{Bool, 2, "outside bool's range [0, 1]"},
		{Uint64, -1, "outside uint64's range"},
		{Int32, 1 << 31, "outside int32's range"},
	} {
		t.Run(fmt.Sprintf("%s=%d", c.dt, c.v), func(t *testing.T) {
			a := Must(FromInts(c.dt, []int64{0, 1, c.v}))
			var b bytes.Buffer
			err := WriteNpy(&b, a)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s %d: error %v, want %q", c.dt, c.v, err, c.want)
			}
			if b.Len() != 0 {
				t.Errorf("%s %d: %d bytes written before the error", c.dt, c.v, b.Len())
			}
		})
	}
	if err := WriteNpy(io.Discard, nil); err == nil {
		t.Error("WriteNpy(nil) succeeded")
	}
}

func TestWriteNpyFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.npy")
	good := Must(FromFloat32([]float32{1, 2, 3}))
	if err := WriteNpyFile(path, good); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := Must(FromInts(Uint8, []int64{1, 999}))
	err := WriteNpyFile(path, bad)
	if err == nil || !strings.Contains(err.Error(), "writing "+path) {
		t.Fatalf("writing a bad array: %v", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed write changed the existing file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only x.npy", names)
	}
	// Overwriting keeps the file's permissions.
	if err := WriteNpyFile(path, Must(FromFloat32([]float32{4}))); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after overwrite, want 0600", st.Mode().Perm())
	}
	if err := WriteNpyFile(filepath.Join(dir, "no", "such", "dir.npy"), good); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
	if err := WriteNpyFile(dir, good); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("writing over a directory: %v", err)
	}
}

func TestFloat16Exhaustive(t *testing.T) {
	for h := range 1 << 16 {
		f := Float16ToFloat32(uint16(h))
		if back := Float32ToFloat16(f); back != uint16(h) {
			t.Fatalf("float16 %#04x -> %v -> %#04x", h, f, back)
		}
	}
}

func TestFloat16HandWorked(t *testing.T) {
	for _, c := range []struct {
		h uint16
		f float32
	}{
		{0x0000, 0},
		{0x0001, 1.0 / (1 << 24)}, // smallest subnormal
		{0x03ff, 1023.0 / (1 << 24)},
		{0x0400, 1.0 / (1 << 14)}, // smallest normal
		{0x3c00, 1},
		{0x3555, 0.333251953125},
		{0x7bff, 65504},
		{0xc000, -2},
		{0x7c00, inf32},
		{0xfc00, ninf32},
	} {
		t.Run(fmt.Sprintf("%#04x", c.h), func(t *testing.T) {
			if got := Float16ToFloat32(c.h); got != c.f {
				t.Errorf("Float16ToFloat32(%#04x) = %v, want %v", c.h, got, c.f)
			}
			if got := Float32ToFloat16(c.f); got != c.h {
				t.Errorf("Float32ToFloat16(%v) = %#04x, want %#04x", c.f, got, c.h)
			}
		})
	}
	if got := Float16ToFloat32(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("-0 = %v", got)
	}
	if got := Float16ToFloat32(0x7e00); got == got {
		t.Errorf("NaN = %v", got)
	}
	for _, c := range []struct {
		f float32
		h uint16
	}{
		{1 + 1.0/2048, 0x3c00},    // tie, even stays
		{1 + 3.0/2048, 0x3c02},    // tie, odd rounds up
		{65519, 0x7bff},           // just below the rounding point
		{65520, 0x7c00},           // rounds to infinity
		{1.0 / (1 << 25), 0x0000}, // half the smallest subnormal: tie to even 0
		{1.5 / (1 << 25), 0x0001}, // above half
		{3.0 / (1 << 25), 0x0002}, // 1.5 subnormal units: tie to even 2
		{1e-10, 0x0000},           // underflow
		{float32(math.NaN()), 0x7e00},
		{math.Float32frombits(0x7f800001), 0x7e00}, // payload only in low bits stays NaN
	} {
		t.Run(fmt.Sprintf("%g_%#08x", c.f, math.Float32bits(c.f)), func(t *testing.T) {
			if got := Float32ToFloat16(c.f); got != c.h {
				t.Errorf("Float32ToFloat16(%v) = %#04x, want %#04x", c.f, got, c.h)
			}
		})
	}
}

// TestFloat16MatchesNumpy compares with numpy's astype(np.float16) over
// special and random float32 bit patterns.
func TestFloat16MatchesNumpy(t *testing.T) {
	in, err := ReadNpyFile(filepath.Join(goldenDir, "f32_to_f16_in.npy"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := ReadNpyFile(filepath.Join(goldenDir, "f32_to_f16_out.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if in.DType() != Uint32 || out.DType() != Uint16 || in.Size() != out.Size() || in.Size() < 8000 {
		t.Fatalf("golden files: %v, %v", in, out)
	}
	bad := 0
	for i, b := range in.Int64s() {
		f := math.Float32frombits(uint32(b))
		want := uint16(out.Int64s()[i])
		got := Float32ToFloat16(f)
		if f != f { // numpy keeps the NaN's sign and top payload bits, as we do
			if got&0x7c00 != 0x7c00 || got&0x3ff == 0 || got&0x8000 != want&0x8000 {
				t.Errorf("NaN %#08x -> %#04x, numpy %#04x", b, got, want)
			}
			continue
		}
		if got != want {
			bad++
			if bad < 10 {
				t.Errorf("Float32ToFloat16(%v = %#08x) = %#04x, numpy %#04x", f, b, got, want)
			}
		}
	}
}

// TestReadNpySequential reads arrays saved one after another to one stream,
// as repeated np.save calls on one file handle produce.
func TestReadNpySequential(t *testing.T) {
	arrays := roundTripArrays()
	var b bytes.Buffer
	for _, a := range arrays {
		if err := WriteNpy(&b, a); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "seq.npy")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, r := range []io.Reader{bytes.NewReader(b.Bytes()), onlyReader{bytes.NewReader(b.Bytes())}, f} {
		for i, a := range arrays {
			got, err := ReadNpy(r)
			if err != nil {
				t.Fatalf("%T: array %d: %v", r, i, err)
			}
			if err := sameArray(a, got); err != nil {
				t.Fatalf("%T: array %d: %v", r, i, err)
			}
		}
		if _, err := ReadNpy(r); err == nil || !strings.Contains(err.Error(), "empty .npy input") {
			t.Errorf("%T: reading past the last array: %v", r, err)
		}
	}
}
