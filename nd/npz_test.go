package nd

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadGoldenNpz(t *testing.T) {
	g := loadGolden(t)
	for _, name := range []string{"eval.npz", "eval_compressed.npz", "positional.npz"} {
		e, ok := g.Files[name]
		if !ok {
			t.Fatalf("%s missing from expected.json", name)
		}
		z, err := ReadNpzFile(filepath.Join(goldenDir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(e.Members, z.Names); diff != "" {
			t.Errorf("%s names (-want +got):\n%s", name, diff)
		}
		for _, m := range e.Members {
			a, ok := z.Get(m)
			if !ok {
				t.Errorf("%s: Get(%q) found nothing", name, m)
				continue
			}
			if err := checkAgainst(a, e.Arrays[m]); err != nil {
				t.Errorf("%s[%s]: %v", name, m, err)
			}
		}
		if _, ok := z.Get("nope"); ok {
			t.Errorf("%s: Get(nope) found something", name)
		}
	}
	// savez_compressed really deflates and savez really stores.
	for name, method := range map[string]uint16{"eval.npz": zip.Store, "eval_compressed.npz": zip.Deflate} {
		zr, err := zip.OpenReader(filepath.Join(goldenDir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			if f.Method != method {
				t.Errorf("%s member %s: method %d, want %d", name, f.Name, f.Method, method)
			}
		}
		zr.Close()
	}
}

func TestNpzRoundTrip(t *testing.T) {
	arrays := roundTripArrays()
	names := make([]string, len(arrays))
	for i, a := range arrays {
		names[i] = strings.ReplaceAll(a.String(), " ", "") + "_" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	dir := t.TempDir()
	for _, compress := range []bool{false, true} {
		var b bytes.Buffer
		if err := WriteNpz(&b, names, arrays, compress); err != nil {
			t.Fatal(err)
		}
		z, err := ReadNpz(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(names, z.Names); diff != "" {
			t.Fatalf("names (-want +got):\n%s", diff)
		}
		for i := range arrays {
			if err := sameArray(arrays[i], z.Arrays[i]); err != nil {
				t.Errorf("compress=%v %s: %v", compress, names[i], err)
			}
		}
		path := filepath.Join(dir, "x.npz")
		if err := WriteNpzFile(path, names, arrays, compress); err != nil {
			t.Fatal(err)
		}
		z, err = ReadNpzFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := range arrays {
			if err := sameArray(arrays[i], z.Arrays[i]); err != nil {
				t.Errorf("file compress=%v %s: %v", compress, names[i], err)
			}
		}
	}
	// An empty archive is fine too.
	var b bytes.Buffer
	if err := WriteNpz(&b, nil, nil, false); err != nil {
		t.Fatal(err)
	}
	z, err := ReadNpz(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil || len(z.Names) != 0 {
		t.Errorf("empty archive: %v %v", z, err)
	}
}

func TestNpzErrors(t *testing.T) {
	a := Must(FromFloat32([]float32{1, 2}))
	for _, c := range []struct {
		name   string
		names  []string
		arrays []*Array
		want   string
	}{
		{"count mismatch", []string{"a"}, nil, "one name per array: got 1 names, 0 arrays"},
		{"duplicate name", []string{"a", "a"}, []*Array{a, a}, `names must be unique: "a" appears twice`},
		{"nil array", []string{"a"}, []*Array{nil}, `array "a" is nil`},
		{"out of range", []string{"a", "b"}, []*Array{a, Must(FromInts(Int8, []int64{1000}))}, `array "b": cannot write int8(1,): element 0 is 1000`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			err := WriteNpz(&b, c.names, c.arrays, false)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("WriteNpz(%q): %v, want %q", c.names, err, c.want)
			}
			if b.Len() != 0 {
				t.Errorf("WriteNpz(%q) wrote %d bytes before failing", c.names, b.Len())
			}
		})
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.npz")
	if err := WriteNpzFile(path, []string{"a", "a"}, []*Array{a, a}, true); err == nil {
		t.Error("WriteNpzFile with duplicate names succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed WriteNpzFile left %d files", len(entries))
	}

	var good bytes.Buffer
	if err := WriteNpz(&good, []string{"x", "y"}, []*Array{a, a}, false); err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Clone(good.Bytes())
	i := bytes.Index(corrupt, []byte{0, 0, 0x80, 0x3f}) // the float32 1.0 of x
	corrupt[i+3] = 0x40
	npy := mustNpy(t, a)
	// A zip whose member is not an .npy.
	var notNpy bytes.Buffer
	zw := zip.NewWriter(&notNpy)
	w, _ := zw.Create("readme.txt")
	w.Write([]byte("hello"))
	zw.Close()
	// A zip with the same member twice.
	var dup bytes.Buffer
	zw = zip.NewWriter(&dup)
	for range 2 {
		w, _ := zw.Create("x.npy")
		w.Write(npy)
	}
	zw.Close()
	for _, c := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "nd: not an .npz (zip) archive: zip: not a valid zip file"},
		{"npy", npy, "this is a single .npy array; read it with ReadNpy"},
		{"truncated", good.Bytes()[:good.Len()-10], "not an .npz (zip) archive"},
		{"checksum", corrupt, `nd: .npz member "x.npy": zip: checksum error`},
		{"not npy", notNpy.Bytes(), `nd: .npz member "readme.txt": bad .npy magic: got "hello", want "\x93NUMPY"`},
		{"duplicate", dup.Bytes(), `nd: .npz has more than one member named "x.npy"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			z, err := ReadNpz(bytes.NewReader(c.in), int64(len(c.in)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: got %v, %v; want error containing %q", c.name, z, err, c.want)
			}
		})
	}
	if _, err := ReadNpz(bytes.NewReader(nil), -1); err == nil {
		t.Error("negative size accepted")
	}
	if _, err := ReadNpzFile(filepath.Join(goldenDir, "f4_le.npy")); err == nil || !strings.Contains(err.Error(), "f4_le.npy") {
		t.Errorf("ReadNpzFile error does not name the file: %v", err)
	}
}

func mustNpy(t testing.TB, a *Array) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteNpy(&b, a); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
