package imagedec

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// turbo returns a libjpeg-turbo Decoder, or skips the test when the
// library is absent.
func turbo(t testing.TB) *Decoder {
	t.Helper()
	d, err := New(Options{Backend: LibJPEGTurbo})
	if err != nil {
		t.Skipf("libjpeg-turbo absent (install Debian's libturbojpeg0): %v", err)
	}
	return d
}

// golden reads testdata/imagedec/NAME.jpg and the RGB pixels OpenCV
// decoded from it (NAME.png, written by gen_jpeg.py).
func golden(t *testing.T, name string) ([]byte, *image.RGBA) {
	t.Helper()
	dir := filepath.Join("..", "testdata", "imagedec")
	jpg, err := os.ReadFile(filepath.Join(dir, name+".jpg"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	p, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	want := image.NewRGBA(p.Bounds())
	for y := 0; y < p.Bounds().Dy(); y++ {
		for x := 0; x < p.Bounds().Dx(); x++ {
			want.Set(x, y, p.At(x, y))
		}
	}
	return jpg, want
}

var goldenNames = []string{
	"face_q75_420", "face_q95_420", "face_progressive", "cat_q90_444",
	"cat_q90_422", "coffee_rst", "face_gray", "face_truncated", "cat_cmyk",
	"cat_exif2", "cat_exif3", "cat_exif4", "cat_exif5", "cat_exif6", "cat_exif7", "cat_exif8",
}

// truncatedRows is how many rows of face_truncated.jpg its data covers
// (four 16-row MCU rows; chroma upsampling of the fifth already reads the missing data): there libjpeg-turbo and OpenCV agree. Below,
// OpenCV repeats the last row it decoded while TurboJPEG's memory source
// ends the scan and libjpeg fills the missing blocks (mid-grey).
const truncatedRows = 64

// diff returns the mean and maximum absolute difference over the RGB
// channels of two images of the same size.
func diff(t *testing.T, got, want *image.RGBA) (mean float64, max int) {
	t.Helper()
	if got.Rect != want.Rect {
		t.Fatalf("size %v, want %v", got.Rect, want.Rect)
	}
	var sum, n int
	for i := range got.Pix {
		if i%4 == 3 {
			if got.Pix[i] != 255 {
				t.Fatalf("alpha %d at byte %d, want 255", got.Pix[i], i)
			}
			continue
		}
		d := int(got.Pix[i]) - int(want.Pix[i])
		if d < 0 {
			d = -d
		}
		sum += d
		n++
		max = maxInt(max, d)
	}
	return float64(sum) / float64(n), max
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func TestTurboMatchesOpenCV(t *testing.T) {
	d := turbo(t)
	for _, name := range goldenNames {
		t.Run(name, func(t *testing.T) {
			jpg, want := golden(t, name)
			got, err := d.Decode(jpg)
			if err != nil {
				t.Fatal(err)
			}
			if name == "face_truncated" {
				got.Rect.Max.Y, want.Rect.Max.Y = truncatedRows, truncatedRows
				got.Pix, want.Pix = got.Pix[:truncatedRows*got.Stride], want.Pix[:truncatedRows*want.Stride]
			}
			if mean, max := diff(t, got, want); max != 0 {
				t.Errorf("differs from cv2.imdecode: mean %.4f, max %d", mean, max)
			}
		})
	}
}

// TestGoJPEGDiffersFromOpenCV records how far image/jpeg is from OpenCV on
// the golden files (the figures docs/compatibility.md quotes) and checks
// the fallback still decodes every one of them to the right size.
func TestGoJPEGDiffersFromOpenCV(t *testing.T) {
	d, err := New(Options{Backend: GoJPEG})
	if err != nil {
		t.Fatal(err)
	}
	if d.Backend() != GoJPEG || d.Note() != "" {
		t.Fatalf("backend %v note %q, want go and no note", d.Backend(), d.Note())
	}
	for _, name := range goldenNames {
		jpg, want := golden(t, name)
		got, err := d.Decode(jpg)
		if name == "face_truncated" {
			if err == nil {
				t.Errorf("%s: image/jpeg decoded a truncated file", name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		mean, max := diff(t, got, want)
		t.Logf("%-18s image/jpeg vs cv2.imdecode: mean |Δ| %.3f, max %d", name, mean, max)
	}
}

func TestAutoFallsBackWithNote(t *testing.T) {
	d, err := New(Options{LibPath: "/nonexistent/libturbojpeg.so.0"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Backend() != GoJPEG || !strings.Contains(d.Note(), "image/jpeg") || !strings.Contains(d.Note(), "/nonexistent/libturbojpeg.so.0") {
		t.Errorf("backend %v note %q, want the go fallback naming the library", d.Backend(), d.Note())
	}
	if _, err := New(Options{Backend: LibJPEGTurbo, LibPath: "/nonexistent/libturbojpeg.so.0"}); err == nil || !strings.Contains(err.Error(), "libturbojpeg0") {
		t.Errorf("forced libjpeg-turbo without the library: error %v, want one saying how to get it", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	jpg, _ := golden(t, "face_q75_420")
	for _, b := range []Backend{LibJPEGTurbo, GoJPEG} {
		d, err := New(Options{Backend: b})
		if err != nil {
			t.Logf("%v skipped: %v", b, err)
			continue
		}
		for _, c := range []struct {
			name, want string
			data       []byte
		}{
			{"empty", "empty image data", nil},
			{"text", "does not decode", []byte("not an image at all")},
			{"soi only", "does not decode", []byte{0xFF, 0xD8, 0xFF}},
			{"header cut", "does not decode", jpg[:40]},
		} {
			t.Run(b.String()+"/"+c.name, func(t *testing.T) {
				_, err := d.Decode(c.data)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %v, want one containing %q", err, c.want)
				}
			})
		}
	}
}

func TestMaxPixels(t *testing.T) {
	jpg, _ := golden(t, "face_q75_420") // 140×160
	for _, b := range []Backend{LibJPEGTurbo, GoJPEG} {
		d, err := New(Options{Backend: b, MaxPixels: 140*160 - 1})
		if err != nil {
			t.Logf("%v skipped: %v", b, err)
			continue
		}
		if _, err := d.Decode(jpg); err == nil || !strings.Contains(err.Error(), "140×160") {
			t.Errorf("%v: error %v, want the size named", b, err)
		}
	}
}

func TestParseBackend(t *testing.T) {
	for _, b := range []Backend{Auto, LibJPEGTurbo, GoJPEG} {
		got, err := ParseBackend(b.String())
		if err != nil || got != b {
			t.Errorf("ParseBackend(%q) = %v, %v", b.String(), got, err)
		}
	}
	if _, err := ParseBackend("opencv"); err == nil {
		t.Error("ParseBackend(opencv) accepted")
	}
}

func TestPNGPassesThrough(t *testing.T) {
	_, want := golden(t, "cat_q90_444")
	var buf bytes.Buffer
	if err := png.Encode(&buf, want); err != nil {
		t.Fatal(err)
	}
	d, _ := New(Options{})
	got, err := d.Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, max := diff(t, got, want); max != 0 {
		t.Errorf("PNG round trip differs by %d", max)
	}
}

// TestConcurrentDecode shares one Decoder (and its pool of TurboJPEG
// handles) among goroutines; run it under -race.
func TestConcurrentDecode(t *testing.T) {
	d := turbo(t)
	jpg, want := golden(t, "face_q95_420")
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 20 {
				got, err := d.Decode(jpg)
				if err == nil && !bytes.Equal(got.Pix, want.Pix) {
					err = errors.New("pixels differ from cv2.imdecode")
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestPNGAlphaDropped checks that a translucent PNG keeps its straight
// colours, as OpenCV's IMREAD_COLOR strips alpha (no premultiplication).
func TestPNGAlphaDropped(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	copy(src.Pix, []byte{200, 100, 50, 0, 10, 20, 30, 128})
	var buf bytes.Buffer
	if err := png.Encode(&buf, src); err != nil {
		t.Fatal(err)
	}
	d, _ := New(Options{})
	got, err := d.Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{200, 100, 50, 255, 10, 20, 30, 255}; !bytes.Equal(got.Pix, want) {
		t.Errorf("pixels %v, want %v", got.Pix, want)
	}
}
