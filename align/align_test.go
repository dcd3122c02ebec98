package align

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type goldenCase struct {
	Kind      string       `json:"kind"`
	Source    string       `json:"source"`
	Landmarks [][2]float64 `json:"landmarks"`
	Size      int          `json:"size"`
	Matrix    []float64    `json:"matrix"`
	Crop      string       `json:"crop"`
}

func readPNG(t *testing.T, name string) *image.RGBA {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "align", name))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	p, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := p.Bounds()
	img := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			img.Set(x, y, p.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return img
}

func readCases(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "align", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cs []goldenCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// pixelDiff returns the largest RGB difference and how many channel values
// differ.
func pixelDiff(got, want *image.RGBA) (max, n int) {
	for i := range got.Pix {
		if i%4 == 3 {
			continue
		}
		d := int(got.Pix[i]) - int(want.Pix[i])
		if d != 0 {
			n++
		}
		if d < 0 {
			d = -d
		}
		if d > max {
			max = d
		}
	}
	return max, n
}

// TestWarpMatchesOpenCV warps with the golden matrices themselves: the
// fixed-point warp must give cv2.warpAffine's pixels exactly.
func TestWarpMatchesOpenCV(t *testing.T) {
	for _, c := range readCases(t) {
		t.Run(c.Crop, func(t *testing.T) {
			src, want := readPNG(t, "src_"+c.Source+".png"), readPNG(t, c.Crop)
			var m Affine
			copy(m[:], c.Matrix)
			got := image.NewRGBA(image.Rect(0, 0, c.Size, c.Size))
			var w Warper
			if err := w.WarpAffine(got, src, m); err != nil {
				t.Fatal(err)
			}
			if max, n := pixelDiff(got, want); max != 0 {
				t.Errorf("differs from cv2.warpAffine in %d values, by up to %d", n, max)
			}
		})
	}
}

// TestNormCropMatchesInsightface estimates the transform from the
// landmarks and crops: the matrix must agree with scikit-image's to 5e-7
// (it solves in float32) and the crop with norm_crop's.
func TestNormCropMatchesInsightface(t *testing.T) {
	for _, c := range readCases(t) {
		if c.Kind != "norm_crop" {
			continue
		}
		t.Run(c.Crop, func(t *testing.T) {
			var lmk [5][2]float32
			for i, p := range c.Landmarks {
				lmk[i] = [2]float32{float32(p[0]), float32(p[1])}
			}
			m, err := EstimateNorm(lmk, c.Size)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range c.Matrix {
				if math.Abs(m[i]-v) > 5e-7*math.Max(1, math.Abs(v)) {
					t.Errorf("matrix[%d] = %.10g, scikit-image %.10g", i, m[i], v)
				}
			}
			got, err := NormCrop(readPNG(t, "src_"+c.Source+".png"), lmk, c.Size)
			if err != nil {
				t.Fatal(err)
			}
			max, n := pixelDiff(got, readPNG(t, c.Crop))
			if max > 1 {
				t.Errorf("differs from norm_crop in %d values, by up to %d", n, max)
			}
			if n > 0 {
				t.Logf("%d of %d values differ by 1 (scikit-image's float32 SVD)", n, 3*c.Size*c.Size)
			}
		})
	}
}

// TestSimilarityExact checks a hand-worked case: dst is src rotated by
// 90°, scaled by 2 and shifted by (10, 20).
func TestSimilarityExact(t *testing.T) {
	src := [][2]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}}
	dst := make([][2]float64, len(src))
	for i, p := range src {
		dst[i] = [2]float64{-2*p[1] + 10, 2*p[0] + 20}
	}
	m, err := Similarity(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	want := Affine{0, -2, 10, 2, 0, 20}
	for i := range m {
		if math.Abs(m[i]-want[i]) > 1e-12 {
			t.Fatalf("Similarity = %v, want %v", m, want)
		}
	}
	inv := m.Invert()
	x, y := inv.Apply(m.Apply(3, 4))
	if math.Abs(x-3) > 1e-12 || math.Abs(y-4) > 1e-12 {
		t.Errorf("Invert·m maps (3, 4) to (%v, %v)", x, y)
	}
}

func TestErrors(t *testing.T) {
	same := [5][2]float32{{1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}}
	nan := [5][2]float32{{float32(math.NaN()), 1}}
	for _, c := range []struct {
		name, want string
		err        func() error
	}{
		{"equal points", "do not determine", func() error { _, err := EstimateNorm(same, 112); return err }},
		{"nan", "finite", func() error { _, err := EstimateNorm(nan, 112); return err }},
		{"size", "multiple of 112 or 128", func() error { _, err := Template(100); return err }},
		{"lengths", "2 source points but 1", func() error {
			_, err := Similarity([][2]float64{{0, 0}, {1, 1}}, [][2]float64{{0, 0}})
			return err
		}},
		{"origin", "start at (0, 0)", func() error {
			var w Warper
			return w.WarpAffine(image.NewRGBA(image.Rect(1, 1, 3, 3)), image.NewRGBA(image.Rect(0, 0, 2, 2)), Affine{1, 0, 0, 0, 1, 0})
		}},
		{"inf matrix", "not finite", func() error {
			var w Warper
			return w.WarpAffine(image.NewRGBA(image.Rect(0, 0, 2, 2)), image.NewRGBA(image.Rect(0, 0, 2, 2)), Affine{math.Inf(1)})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.err(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func BenchmarkNormCrop(b *testing.B) {
	src := image.NewRGBA(image.Rect(0, 0, 250, 250))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7)
	}
	lmk := [5][2]float32{{100, 110}, {150, 108}, {125, 140}, {105, 165}, {148, 166}}
	dst := image.NewRGBA(image.Rect(0, 0, 112, 112))
	var w Warper
	b.ReportAllocs()
	for b.Loop() {
		m, err := EstimateNorm(lmk, 112)
		if err != nil {
			b.Fatal(err)
		}
		if err := w.WarpAffine(dst, src, m); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCrops(t *testing.T) {
	c := readCases(t)[0]
	var lmk [5][2]float32
	for i, p := range c.Landmarks {
		lmk[i] = [2]float32{float32(p[0]), float32(p[1])}
	}
	decode := func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
	src := Crops{
		Paths:     []string{filepath.Join("..", "testdata", "align", "src_"+c.Source+".png"), "no-such-file.png", filepath.Join("..", "testdata", "align", "cases.json")},
		Landmarks: [][5][2]float32{lmk, lmk, lmk},
		Size:      c.Size,
		Decode:    decode,
	}
	if src.Len() != 3 {
		t.Fatalf("Len = %d", src.Len())
	}
	img, err := src.Image(0)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := NormCrop(readPNG(t, "src_"+c.Source+".png"), lmk, c.Size)
	if max, _ := pixelDiff(img.(*image.RGBA), want); max != 0 {
		t.Errorf("Crops.Image differs from NormCrop by %d", max)
	}
	for i, wantErr := range map[int]string{1: "no-such-file.png", 2: "cases.json", 3: "image 3 of 3"} {
		if _, err := src.Image(i); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("Image(%d): error %v, want one naming %q", i, err, wantErr)
		}
	}
}
