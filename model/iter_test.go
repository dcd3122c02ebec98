package model

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func collect(t *testing.T, it *ImageIter) (labels []float32, pads []int, first []float32) {
	t.Helper()
	for {
		b, err := it.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = append([]float32(nil), b.Data[0].Float32s()...)
		}
		labels = append(labels, b.Label[0].Float32s()...)
		pads = append(pads, b.Pad)
	}
}

func TestImageIterOrder(t *testing.T) {
	// 5 images of 1×2 pixels: image i is (i, 10+i), label i.
	px := []uint8{0, 10, 1, 11, 2, 12, 3, 13, 4, 14}
	lab := []int32{0, 1, 2, 3, 4}
	it, err := NewImageIter(px, lab, 1, 2, ImageIterOptions{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	labels, pads, first := collect(t, it)
	if !slices.Equal(labels, []float32{0, 1, 2, 3}) || !slices.Equal(pads, []int{0, 0}) || it.NumBatches() != 2 {
		t.Errorf("discard: labels %v pads %v", labels, pads)
	}
	if !slices.Equal(first, []float32{0, 10, 1, 11}) {
		t.Errorf("first batch data %v", first)
	}
	pad, _ := NewImageIter(px, lab, 1, 2, ImageIterOptions{BatchSize: 2, Pad: true})
	labels, pads, _ = collect(t, pad)
	if !slices.Equal(labels, []float32{0, 1, 2, 3, 4, 0}) || !slices.Equal(pads, []int{0, 0, 1}) || pad.NumBatches() != 3 {
		t.Errorf("pad: labels %v pads %v", labels, pads)
	}
	// Mirroring swaps the two pixels of a flipped image.
	m, _ := NewImageIter(px, lab, 1, 2, ImageIterOptions{BatchSize: 5, RandMirror: true, Seed: 1})
	b, _ := m.Next()
	flipped := 0
	for i := 0; i < 5; i++ {
		d := b.Data[0].Float32s()[2*i : 2*i+2]
		switch {
		case d[0] == float32(i) && d[1] == float32(10+i):
		case d[0] == float32(10+i) && d[1] == float32(i):
			flipped++
		default:
			t.Fatalf("image %d became %v", i, d)
		}
	}
	if flipped == 0 || flipped == 5 {
		t.Logf("mirroring flipped %d of 5 images", flipped)
	}
}

func TestImageIterShuffleEpochs(t *testing.T) {
	px, lab := syntheticImages(40, 1)
	opt := ImageIterOptions{BatchSize: 8, Shuffle: true, Seed: 5, RandMirror: true}
	it, _ := NewImageIter(px, lab, 4, 4, opt)
	e0, _, d0 := collect(t, it)
	it.Reset()
	e1, _, _ := collect(t, it)
	if slices.Equal(e0, e1) {
		t.Error("two epochs had the same order")
	}
	if it.Epoch() != 1 {
		t.Errorf("epoch %d after one reset, want 1", it.Epoch())
	}
	// A reset without reading keeps the epoch; SetEpoch reproduces an order.
	it.Reset()
	it.Reset()
	if it.Epoch() != 2 {
		t.Errorf("epoch %d, want 2 (the second reset read nothing)", it.Epoch())
	}
	other, _ := NewImageIter(px, lab, 4, 4, opt)
	other.SetEpoch(1)
	other.Reset() // as fit does before skipping batches on resume
	r1, _, _ := collect(t, other)
	if !slices.Equal(r1, e1) {
		t.Error("SetEpoch(1) did not reproduce epoch 1's order")
	}
	other.SetEpoch(0)
	_, _, o0 := collect(t, other)
	if !slices.Equal(o0, d0) {
		t.Error("SetEpoch(0) did not reproduce epoch 0's pixels (mirroring included)")
	}
}

func TestImageIterErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		px   []uint8
		lab  []int32
		r, c int
		opt  ImageIterOptions
		want string
	}{
		{"size", []uint8{1}, []int32{0}, 0, 1, ImageIterOptions{BatchSize: 1}, "image size must be positive"},
		{"batch", []uint8{1}, []int32{0}, 1, 1, ImageIterOptions{}, "batch size must be > 0"},
		{"pixels", []uint8{1, 2, 3}, []int32{0}, 1, 2, ImageIterOptions{BatchSize: 1}, "1 labels need 2 pixels"},
		{"empty", nil, nil, 1, 1, ImageIterOptions{BatchSize: 1}, "no images"},
		{"short", []uint8{1, 2}, []int32{0, 1}, 1, 1, ImageIterOptions{BatchSize: 3}, "no full batch of 3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewImageIter(c.px, c.lab, c.r, c.c, c.opt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			}
		})
	}
}
