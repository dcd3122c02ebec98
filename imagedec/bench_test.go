package imagedec

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDecode decodes a 140×160 4:2:0 face JPEG (quality 95) with each
// backend; the ratio is what the OpenCV-exact path costs or saves.
func BenchmarkDecode(b *testing.B) {
	jpg, err := os.ReadFile(filepath.Join("..", "testdata", "imagedec", "face_q95_420.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	for _, be := range []Backend{LibJPEGTurbo, GoJPEG} {
		b.Run(be.String(), func(b *testing.B) {
			d, err := New(Options{Backend: be})
			if err != nil {
				b.Skip(err)
			}
			b.SetBytes(int64(len(jpg)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Decode(jpg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
