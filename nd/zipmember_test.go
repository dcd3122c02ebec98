package nd

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// allocated returns the bytes allocated while f runs (the least of three
// runs: TotalAlloc counts every goroutine).
func allocated(f func()) uint64 {
	best := ^uint64(0)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		best = min(best, after.TotalAlloc-before.TotalAlloc)
	}
	return best
}

// rawZip builds a one-member zip whose header declares size bytes, with
// the given (already compressed) data and CRC.
func rawZip(t testing.TB, method uint16, data []byte, size uint64, crc uint32) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "m.npy", Method: method, CRC32: crc,
		CompressedSize64: uint64(len(data)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func deflate(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, flate.BestCompression)
	fw.Write(data)
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadNpzDeflatedMemberAllocatesOnce(t *testing.T) {
	// A deflated 32 MB member is read into one buffer of its declared
	// size; growing a buffer by doubling allocated about twice that.
	const n = 8 << 20 // float32 elements: 32 MB
	var b bytes.Buffer
	if err := WriteNpz(&b, []string{"x"}, []*Array{Must(FromFloat32(make([]float32, n)))}, true); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	got := allocated(func() {
		if _, err := ReadNpz(bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
	})
	if limit := uint64(4*n) + 4<<20; got > limit {
		t.Errorf("reading a %d-byte member allocated %d bytes, want at most %d", 4*n, got, limit)
	}
}

func TestReadNpzMemberSizeChecks(t *testing.T) {
	npy := mustNpy(t, Must(FromFloat32([]float32{1, 2, 3})))
	comp := deflate(t, npy)
	crc := crc32.ChecksumIEEE(npy)
	for _, tc := range []struct {
		name string
		zip  []byte
		max  int64
		want string
	}{
		{"deflate bomb", rawZip(t, zip.Deflate, comp, 1<<40, crc), 0,
			`.npz member "m.npy": declares 1099511627776 bytes, more than ` + strconv.Itoa(len(comp)) + ` deflated bytes can expand to`},
		{"stored mismatch", rawZip(t, zip.Store, npy, uint64(len(npy))+1, crc), 0,
			`stored member declares ` + strconv.Itoa(len(npy)+1) + ` bytes but holds ` + strconv.Itoa(len(npy))},
		{"over the limit", rawZip(t, zip.Deflate, comp, uint64(len(npy)), crc), int64(len(npy)) - 1,
			`declares ` + strconv.Itoa(len(npy)) + ` bytes, more than the ` + strconv.Itoa(len(npy)-1) + ` this file may hold`},
		{"declares less than the array", rawZip(t, zip.Deflate, comp, uint64(len(npy))-4, crc), 0,
			`.npy data truncated: header says float32 (3,) = 12 bytes, file has 8`},
		{"declares more than it holds", rawZip(t, zip.Deflate, comp, uint64(len(npy))+100, crc), 0,
			`m.npy": ends before the ` + strconv.Itoa(len(npy)+100) + ` bytes it declares`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadNpzLimit(bytes.NewReader(tc.zip), int64(len(tc.zip)), tc.max)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	// At the limit is fine.
	z := rawZip(t, zip.Deflate, comp, uint64(len(npy)), crc)
	if _, err := ReadNpzLimit(bytes.NewReader(z), int64(len(z)), int64(len(npy))); err != nil {
		t.Errorf("member at the limit: %v", err)
	}
}

func TestReadZipMember(t *testing.T) {
	text := []byte(strings.Repeat("{}", 1000))
	z := rawZip(t, zip.Deflate, deflate(t, text), uint64(len(text)), crc32.ChecksumIEEE(text))
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadZipMember(zr.File[0], 0)
	if err != nil || !bytes.Equal(got, text) {
		t.Errorf("ReadZipMember = %d bytes, %v", len(got), err)
	}
	if _, err := ReadZipMember(zr.File[0], 100); err == nil || !strings.Contains(err.Error(), "declares 2000 bytes, more than the 100") {
		t.Errorf("limit: err = %v", err)
	}
	bad := rawZip(t, zip.Deflate, deflate(t, text), uint64(len(text)), 1)
	zr, _ = zip.NewReader(bytes.NewReader(bad), int64(len(bad)))
	if _, err := ReadZipMember(zr.File[0], 0); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("bad CRC: err = %v", err)
	}
}
