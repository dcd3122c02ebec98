package onnxmodel

import (
	"context"
	"errors"
	"image"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/internal/ort"
	"github.com/evalkit/evalkit/nd"
)

var fixtureDir = filepath.Join("..", "testdata", "onnx")

// openOrSkip opens a fixture model, skipping the test without ONNX Runtime.
func openOrSkip(t testing.TB, name string, cfg Config) *Model {
	t.Helper()
	if _, err := ort.Load(cfg.ORTLib); err != nil {
		t.Skipf("no ONNX Runtime library (set %s; .ci/run installs one): %v", ort.EnvVar, err)
	}
	m, err := Open(filepath.Join(fixtureDir, name), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func fixtureImages(t testing.TB, bin string) *dataset.Bin {
	t.Helper()
	b, err := dataset.ReadBinFile(filepath.Join(fixtureDir, bin))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readNpy(t testing.TB, name string) []float32 {
	t.Helper()
	a, err := nd.ReadNpyFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return a.Float32s()
}

// embTolerance bounds |Go − PyTorch| per embedding value, relative to the
// row's L2 norm: ONNX Runtime fuses BatchNorm into the convolutions and sums
// in another order than PyTorch; float32 leaves differences near 1e-6 of
// the norm (about 1e-5 absolute on the fixture's norms of ~10).
const embTolerance = 2e-6

// maxRelDiff returns the largest |a − b| over a row, divided by the row's
// norm in b, over all rows of dim values.
func maxRelDiff(a, b []float32, dim int) float64 {
	worst := 0.0
	for r := 0; r < len(b)/dim; r++ {
		var norm float64
		for _, v := range b[r*dim : (r+1)*dim] {
			norm += float64(v) * float64(v)
		}
		norm = math.Sqrt(norm)
		for j := r * dim; j < (r+1)*dim; j++ {
			worst = max(worst, math.Abs(float64(a[j])-float64(b[j]))/norm)
		}
	}
	return worst
}

func TestEmbedMatchesPyTorch(t *testing.T) {
	m := openOrSkip(t, "fixture.onnx", Config{Threads: 1})
	if mean, std := m.Normalization(); mean != 127.5 || std != 127.5 {
		t.Errorf("Normalization() = %v, %v; want 127.5, 127.5 (no Sub/Mul nodes first)", mean, std)
	}
	if w, h := m.InputSize(); w != 112 || h != 112 || m.Dim() != 128 {
		t.Errorf("InputSize() = %d×%d, Dim() = %d; want 112×112, 128", w, h, m.Dim())
	}
	b := fixtureImages(t, "fixture_png.bin")
	e, err := m.Embed(context.Background(), EncodedSource{Data: b.Images}, EmbedOptions{Flip: true})
	if err != nil {
		t.Fatal(err)
	}
	want, wantFlip := readNpy(t, "emb.npy"), readNpy(t, "emb_flip.npy")
	if e.N != 80 || e.Dim != 128 || len(e.Emb) != len(want) || len(e.Flip) != len(wantFlip) {
		t.Fatalf("got %d × %d (%d, %d values), want 80 × 128", e.N, e.Dim, len(e.Emb), len(e.Flip))
	}
	if d := maxRelDiff(e.Emb, want, e.Dim); d > embTolerance {
		t.Errorf("embeddings differ from PyTorch's by %.3g of the row norm, tolerance %g", d, embTolerance)
	}
	if d := maxRelDiff(e.Flip, wantFlip, e.Dim); d > embTolerance {
		t.Errorf("mirror embeddings differ from PyTorch's by %.3g of the row norm, tolerance %g", d, embTolerance)
	}
}

// mirrored returns img flipped left–right as an RGBA image.
func mirrored(img image.Image) image.Image {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Set(b.Dx()-1-x, y, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

func TestMirrorPath(t *testing.T) {
	m := openOrSkip(t, "fixture.onnx", Config{Threads: 1, BatchSize: 8})
	b := fixtureImages(t, "fixture_png.bin")
	var imgs, flipped Images
	for i := range 16 {
		img, err := GoDecode(b.Images[i])
		if err != nil {
			t.Fatal(err)
		}
		imgs, flipped = append(imgs, img), append(flipped, mirrored(img))
	}
	ctx := context.Background()
	withFlip, err := m.Embed(ctx, imgs, EmbedOptions{Flip: true})
	if err != nil {
		t.Fatal(err)
	}
	ofMirrors, err := m.Embed(ctx, flipped, EmbedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ofMirrors.Flip != nil {
		t.Error("Flip is set without EmbedOptions.Flip")
	}
	if d := maxRelDiff(withFlip.Flip, ofMirrors.Emb, m.Dim()); d != 0 {
		t.Errorf("Flip rows differ from the embeddings of mirrored images by %.3g of the norm", d)
	}
}

func TestBatchSizeInvariance(t *testing.T) {
	b := fixtureImages(t, "fixture_png.bin")
	src := EncodedSource{Data: b.Images}
	var ref *Embeddings
	for _, bs := range []int{32, 1, 7, 80, 100} {
		m := openOrSkip(t, "fixture.onnx", Config{Threads: 1, BatchSize: bs})
		e, err := m.Embed(context.Background(), src, EmbedOptions{Flip: true, Workers: 3})
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = e
			continue
		}
		// One thread, the same kernels for every row: bit for bit.
		d := max(maxRelDiff(e.Emb, ref.Emb, e.Dim), maxRelDiff(e.Flip, ref.Flip, e.Dim))
		if d != 0 {
			t.Errorf("batch %d: embeddings differ from batch 32's by %.3g of the norm", bs, d)
		}
	}
}

func TestMXNetStyleNormalization(t *testing.T) {
	m := openOrSkip(t, "mxnet_style.onnx", Config{Threads: 1, BatchSize: 3})
	if mean, std := m.Normalization(); mean != 0 || std != 1 {
		t.Errorf("Normalization() = %v, %v; want 0, 1 (first nodes _minus0, _mul0)", mean, std)
	}
	b := fixtureImages(t, "fixture_png.bin")
	e, err := m.Embed(context.Background(), EncodedSource{Data: b.Images[:8]}, EmbedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := maxRelDiff(e.Emb, readNpy(t, "emb_mxnet.npy"), e.Dim); d > embTolerance {
		t.Errorf("embeddings differ from PyTorch's by %.3g of the norm", d)
	}
}

func TestOpenErrors(t *testing.T) {
	openOrSkip(t, "fixture.onnx", Config{}) // skips without ONNX Runtime
	for _, c := range []struct{ file, want string }{
		{"bad_rank.onnx", "has shape [-1 3 112] (rank 3); want rank 4"},
		{"bad_channels.onnx", "has shape [-1 1 112 112]; want 3 colour channels"},
		{"bad_output.onnx", "want float32 N×D embeddings"},
		{"fixture.bin", "is not an ONNX model"},
		{"gen_fixture.py", "is not an ONNX model"},
		{"missing.onnx", "no such file"},
	} {
		t.Run(c.file, func(t *testing.T) {
			_, err := Open(filepath.Join(fixtureDir, c.file), Config{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
	t.Run("missing library", func(t *testing.T) {
		_, err := Open(filepath.Join(fixtureDir, "fixture.onnx"), Config{ORTLib: filepath.Join(t.TempDir(), "libonnxruntime.so.1")})
		if !errors.Is(err, ort.ErrNotFound) || !strings.Contains(err.Error(), "npm pack onnxruntime-node@1.30.0") {
			t.Errorf("err = %v, want ort.ErrNotFound saying how to get the library", err)
		}
	})
}

func TestEmbedErrors(t *testing.T) {
	m := openOrSkip(t, "fixture.onnx", Config{Threads: 1, BatchSize: 4})
	b := fixtureImages(t, "fixture_png.bin")
	data := append([][]byte(nil), b.Images[:10]...)
	data[6] = []byte("not an image")
	_, err := m.Embed(context.Background(), EncodedSource{Data: data}, EmbedOptions{Flip: true})
	if err == nil || !strings.Contains(err.Error(), "image 6 (12 bytes) does not decode") {
		t.Errorf("undecodable image: err = %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	_, err = m.Embed(ctx, EncodedSource{Data: b.Images}, EmbedOptions{Progress: func(done int) {
		calls++
		cancel()
	}})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("cancelled after the first batch: err = %v after %d batches, want context.Canceled after 1", err, calls)
	}
}

func TestEmbedEmpty(t *testing.T) {
	m := openOrSkip(t, "fixture.onnx", Config{})
	e, err := m.Embed(context.Background(), Images{}, EmbedOptions{Flip: true})
	if err != nil || e.N != 0 || len(e.Emb) != 0 || e.Flip == nil {
		t.Errorf("Embed(no images) = %+v, %v", e, err)
	}
}
