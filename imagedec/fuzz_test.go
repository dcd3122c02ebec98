package imagedec

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode feeds corrupt and truncated JPEGs to libjpeg-turbo (and to
// the image/jpeg fallback): every input must come back as an image or an
// error, never as a crash or an exit from inside the C library.
func FuzzDecode(f *testing.F) {
	for _, name := range goldenNames {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "imagedec", name+".jpg"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0xFF, 0xFF, 0xFF, 0xFF, 1, 1, 0x11, 0})
	tj, err := New(Options{Backend: LibJPEGTurbo, MaxPixels: 1 << 22})
	if err != nil {
		f.Logf("libjpeg-turbo absent, fuzzing the fallback only: %v", err)
		tj = nil
	}
	gd, _ := New(Options{Backend: GoJPEG, MaxPixels: 1 << 22})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, d := range []*Decoder{tj, gd} {
			if d == nil {
				continue
			}
			img, err := d.Decode(b)
			if err == nil && (img == nil || len(img.Pix) != 4*img.Rect.Dx()*img.Rect.Dy()) {
				t.Fatalf("%v: no error and a bad image", d.Backend())
			}
		}
	})
}

// FuzzExifOrientation feeds arbitrary bytes to the EXIF reader: it must
// return an orientation in 1..8 and never read out of bounds.
func FuzzExifOrientation(f *testing.F) {
	for _, name := range []string{"cat_exif6", "cat_exif3", "face_q75_420"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "imagedec", name+".jpg"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 400)])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := exifOrientation(b); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}
