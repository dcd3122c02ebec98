package nd

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func addGoldenSeeds(f *testing.F, suffix string) {
	paths, err := filepath.Glob(filepath.Join(goldenDir, "*"+suffix))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no golden %s files: %v", suffix, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzReadNpy: ReadNpy never panics, reads the same through a reader of
// known and of unknown length, and what it reads writes and re-reads
// identically.
func FuzzReadNpy(f *testing.F) {
	addGoldenSeeds(f, ".npy")
	f.Add([]byte("\x93NUMPY\x01\x00\x45\x00{'descr': '>f2', 'fortran_order': True, 'shape': (2, 2), }          \n\x00\x01\x7c\x00\xfc\x00\x7e\x00"))
	f.Add([]byte("\x93NUMPY\x03\x00\x31\x00\x00\x00{\"descr\":\"|b1\",\"fortran_order\":False,\"shape\":()}\n\x02"))
	f.Fuzz(runOne)
}

func runOne(t *testing.T, data []byte) {
	{
		a, err := ReadNpy(bytes.NewReader(data))
		b, errB := ReadNpy(onlyReader{bytes.NewReader(data)})
		if (err == nil) != (errB == nil) {
			t.Fatalf("known length: %v; unknown length: %v", err, errB)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "nd: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		if err := sameArray(a, b); err != nil {
			t.Fatalf("known vs unknown length: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteNpy(&buf, a); err != nil {
			t.Fatalf("read %v but cannot write it: %v", a, err)
		}
		c, err := ReadNpy(&buf)
		if err != nil {
			t.Fatalf("cannot re-read what was written: %v", err)
		}
		if err := sameArray(a, c); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	}
}

// FuzzReadNpz: ReadNpz never panics, and what it reads writes (stored and
// deflated) and re-reads identically. With member set, data is not an
// archive but one member's content, zipped (stored or deflated by its
// first byte) before reading, so mutations get past the zip checksums and
// exercise the .npy reader behind the zip reader.
func FuzzReadNpz(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(goldenDir, "*.np[yz]"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, strings.HasSuffix(p, ".npy"))
	}
	for _, compress := range []bool{false, true} {
		var b bytes.Buffer
		a := Must(FromInts(Uint8, []int64{1, 2, 3}))
		s := Must(FromFloat32([]float32{nan32}))
		if err := WriteNpz(&b, []string{"a", "s.npy"}, []*Array{a, Must(s.Reshape())}, compress); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes(), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, member bool) {
		if member {
			var b bytes.Buffer
			zw := zip.NewWriter(&b)
			method := zip.Store
			if len(data) > 0 && data[0]&1 == 1 {
				method = zip.Deflate
			}
			w, err := zw.CreateHeader(&zip.FileHeader{Name: "m.npy", Method: method})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(data)
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			data = b.Bytes()
		}
		var z *Npz
		var err error
		// Memory stays within what the members' data can expand to.
		got := allocated(func() { z, err = ReadNpz(bytes.NewReader(data), int64(len(data))) })
		if limit := uint64(16*deflateMaxRatio*len(data)) + 1<<20; got > limit {
			t.Fatalf("reading %d bytes allocated %d, want at most %d", len(data), got, limit)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "nd: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		if len(z.Names) != len(z.Arrays) {
			t.Fatalf("%d names, %d arrays", len(z.Names), len(z.Arrays))
		}
		for _, compress := range []bool{false, true} {
			var buf bytes.Buffer
			if err := WriteNpz(&buf, z.Names, z.Arrays, compress); err != nil {
				t.Fatalf("read %q but cannot write them: %v", z.Names, err)
			}
			y, err := ReadNpz(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatalf("cannot re-read what was written: %v", err)
			}
			if !slices.Equal(z.Names, y.Names) {
				t.Fatalf("names %q became %q", z.Names, y.Names)
			}
			for i := range z.Arrays {
				if err := sameArray(z.Arrays[i], y.Arrays[i]); err != nil {
					t.Fatalf("%s: %v", z.Names[i], err)
				}
			}
		}
	})
}
