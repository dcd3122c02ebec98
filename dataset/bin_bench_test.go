package dataset

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// lfwSized is a .bin of 12,000 random 6 KB "images" in insightface's
// Python 2 layout: the shape (not the content) of lfw.bin.
func lfwSized(b *testing.B) []byte {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	bin := &Bin{Issame: make([]bool, 6000)}
	for i := range 12000 {
		img := make([]byte, 6<<10)
		for j := range img {
			img[j] = byte(r.Uint32())
		}
		bin.Images = append(bin.Images, img)
		if i%2 == 0 {
			bin.Issame[i/2] = r.IntN(2) == 1
		}
	}
	var buf bytes.Buffer
	if err := WriteBin(&buf, bin); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkReadBin(b *testing.B) {
	data := lfwSized(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ReadBin(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadBinFile(b *testing.B) {
	data := lfwSized(b)
	path := filepath.Join(b.TempDir(), "lfw.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ReadBinFile(path); err != nil {
			b.Fatal(err)
		}
	}
}
