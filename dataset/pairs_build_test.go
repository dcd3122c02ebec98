package dataset

import (
	"bytes"
	"testing"
)

// tinySet has 3 classes of 2×2 images whose first pixel is the image index
// and second the class, so pairs can be traced back.
func tinySet() *ImageSet {
	s := &ImageSet{Rows: 2, Cols: 2}
	for i := 0; i < 12; i++ {
		c := int32(i % 3)
		s.Pixels = append(s.Pixels, uint8(i), uint8(c), 100, 200)
		s.Labels = append(s.Labels, c)
	}
	return s
}

func TestBuildPairs(t *testing.T) {
	s := tinySet()
	p, err := BuildPairs(s, 21, 7)
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != 21 || len(p.Pixels) != 42*4 {
		t.Fatalf("got %d pairs and %d pixels, want 21 and %d", p.Len(), len(p.Pixels), 42*4)
	}
	same := 0
	for i, is := range p.Issame {
		if is != (i%2 == 0) {
			t.Fatalf("pair %d issame %v: pairs must alternate same/different", i, is)
		}
		a, b := p.Pixels[2*i*4:2*i*4+4], p.Pixels[(2*i+1)*4:(2*i+1)*4+4]
		if (a[1] == b[1]) != is {
			t.Errorf("pair %d: classes %d and %d, issame %v", i, a[1], b[1], is)
		}
		if is && a[0] == b[0] {
			t.Errorf("pair %d pairs image %d with itself", i, a[0])
		}
		if is {
			same++
		}
	}
	if same != 11 {
		t.Errorf("%d same pairs, want 11 (21/2 rounded up)", same)
	}
	q, _ := BuildPairs(s, 21, 7)
	if !bytes.Equal(p.Pixels, q.Pixels) {
		t.Error("same seed built different pairs")
	}
	r, _ := BuildPairs(s, 21, 8)
	if bytes.Equal(p.Pixels, r.Pixels) {
		t.Error("different seeds built identical pairs")
	}
}

func TestBuildPairsErrors(t *testing.T) {
	one := &ImageSet{Rows: 1, Cols: 1, Pixels: []uint8{1, 2}, Labels: []int32{0, 0}}
	if _, err := BuildPairs(one, 2, 1); err == nil {
		t.Error("different-class pairs from one class: no error")
	}
	if p, err := BuildPairs(one, 1, 1); err != nil || !p.Issame[0] {
		t.Errorf("one same pair from one class: %v", err)
	}
	singles := &ImageSet{Rows: 1, Cols: 1, Pixels: []uint8{1, 2}, Labels: []int32{0, 1}}
	if _, err := BuildPairs(singles, 2, 1); err == nil {
		t.Error("same-class pairs without a class of 2 images: no error")
	}
	if _, err := BuildPairs(tinySet(), 0, 1); err == nil {
		t.Error("0 pairs: no error")
	}
}

func TestFlipped(t *testing.T) {
	p := &ImagePairs{Rows: 2, Cols: 3, Pixels: []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Issame: []bool{true}}
	want := []uint8{3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}
	if got := p.Flipped(); !bytes.Equal(got, want) {
		t.Errorf("Flipped = %v, want %v", got, want)
	}
}
