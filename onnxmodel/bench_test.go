package onnxmodel

import (
	"context"
	"image"
	"testing"
)

// BenchmarkPreprocess is one 112×112 image's pixels into the input tensor,
// with its mirror: the per-image work of the decoding workers after the
// decoder itself. It allocates nothing.
func BenchmarkPreprocess(b *testing.B) {
	img := image.NewYCbCr(image.Rect(0, 0, 112, 112), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = uint8(i)
	}
	rgb := make([]uint8, 3*112*112)
	dst := make([]float32, 2*3*112*112)
	var full []uint8
	scale := float32(1 / 127.5)
	b.SetBytes(int64(len(rgb)))
	b.ReportAllocs()
	for b.Loop() {
		full = rgb8(rgb, img, 112, 112, full)
		writeInput(dst[:3*112*112], rgb, 112, 112, nchw, 127.5, scale, false)
		writeInput(dst[3*112*112:], rgb, 112, 112, nchw, 127.5, scale, true)
	}
}

// BenchmarkEmbedFixture embeds the fixture's 80 PNG images and their
// mirrors (decoding included) with the small fixture network.
func BenchmarkEmbedFixture(b *testing.B) {
	m := openOrSkip(b, "fixture.onnx", Config{Threads: 1})
	bin := fixtureImages(b, "fixture_png.bin")
	src := EncodedSource{Data: bin.Images}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Embed(context.Background(), src, EmbedOptions{Flip: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*src.Len())/b.Elapsed().Seconds(), "images/s")
}
