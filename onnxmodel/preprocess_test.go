package onnxmodel

import (
	"image"
	"image/color"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteInput(t *testing.T) {
	// A 2×1 image: red-ish (255, 0, 127.5±) and (0, 255, 51); mean 127.5,
	// scale 1/127.5 maps 255 → 1, 0 → −1.
	rgb := []uint8{255, 0, 128, 0, 255, 51}
	s := float32(1 / 127.5)
	v := func(p uint8) float32 { return (float32(p) - 127.5) * s }
	dst := make([]float32, 6)
	writeInput(dst, rgb, 2, 1, nchw, 127.5, s, false)
	if want := []float32{1, -1, -1, 1, v(128), v(51)}; !cmp.Equal(dst, want) {
		t.Errorf("NCHW = %v, want %v", dst, want)
	}
	writeInput(dst, rgb, 2, 1, nchw, 127.5, s, true)
	if want := []float32{-1, 1, 1, -1, v(51), v(128)}; !cmp.Equal(dst, want) {
		t.Errorf("NCHW mirrored = %v, want %v", dst, want)
	}
	writeInput(dst, rgb, 2, 1, nhwc, 0, 1, false)
	if want := []float32{255, 0, 128, 0, 255, 51}; !cmp.Equal(dst, want) {
		t.Errorf("NHWC raw = %v, want %v", dst, want)
	}
}

func TestResizeBilinear(t *testing.T) {
	// 4×1 → 2×1: source x = 2·x + 0.5, the mean of two neighbours.
	src := []uint8{0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30}
	dst := make([]uint8, 6)
	resizeBilinear(dst, 2, 1, src, 4, 1)
	if want := []uint8{5, 5, 5, 25, 25, 25}; !cmp.Equal(dst, want) {
		t.Errorf("downscale = %v, want %v", dst, want)
	}
	// 2×1 → 4×1: x = 0.5·x − 0.25 → clamp, 0.25, 0.75, clamp.
	dst = make([]uint8, 12)
	resizeBilinear(dst, 4, 1, []uint8{0, 0, 0, 100, 100, 100}, 2, 1)
	if want := []uint8{0, 0, 0, 25, 25, 25, 75, 75, 75, 100, 100, 100}; !cmp.Equal(dst, want) {
		t.Errorf("upscale = %v, want %v", dst, want)
	}
}

func TestToRGB(t *testing.T) {
	want := []uint8{10, 20, 30, 40, 50, 60}
	rgba := image.NewRGBA(image.Rect(5, 5, 7, 6))
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	gray := image.NewGray(image.Rect(0, 0, 2, 1))
	for i := range 2 {
		c := color.NRGBA{want[3*i], want[3*i+1], want[3*i+2], 255}
		rgba.Set(5+i, 5, c)
		nrgba.Set(i, 0, c)
	}
	gray.Pix = []uint8{7, 9}
	for name, c := range map[string]struct {
		img  image.Image
		want []uint8
	}{
		"RGBA with offset bounds": {rgba, want},
		"NRGBA":                   {nrgba, want},
		"Gray":                    {gray, []uint8{7, 7, 7, 9, 9, 9}},
		"generic (Paletted)": {&image.Paletted{Pix: []uint8{1, 0}, Stride: 2, Rect: image.Rect(0, 0, 2, 1),
			Palette: color.Palette{color.RGBA{40, 50, 60, 255}, color.RGBA{10, 20, 30, 255}}}, want},
	} {
		dst := make([]uint8, 6)
		toRGB(dst, c.img)
		if !cmp.Equal(dst, c.want) {
			t.Errorf("%s: %v, want %v", name, dst, c.want)
		}
	}
}
