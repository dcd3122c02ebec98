package nd

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIntTruncates(t *testing.T) {
	a := Must(FromFloat32([]float32{0.9, -0.5, 2.7, -2.7, 3, float32(math.NaN()), float32(math.Inf(1)), 3e9, -2147483648.5}))
	want := []struct {
		v  int64
		ok bool
	}{{0, true}, {0, true}, {2, true}, {-2, true}, {3, true}, {0, false}, {0, false}, {0, false}, {-2147483648, true}}
	for i, w := range want {
		v, ok := a.Int(i)
		if v != w.v || ok != w.ok {
			t.Errorf("Int(%d) of %v = %d, %v; want %d, %v", i, a.Float32s()[i], v, ok, w.v, w.ok)
		}
	}
	b := Must(FromFloat64([]float64{0.9, -0.5, 2.7}))
	for i, w := range []int64{0, 0, 2} {
		if v, ok := b.Int(i); v != w || !ok {
			t.Errorf("float64 Int(%d) = %d, %v; want %d, true", i, v, ok, w)
		}
	}
}

func TestSliceAndReshape(t *testing.T) {
	a := Must(FromFloat32([]float32{0, 1, 2, 3, 4, 5}, 3, 2))
	s, err := a.Slice(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2, 2}, s.Shape()); diff != "" {
		t.Errorf("Slice shape (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float32{2, 3, 4, 5}, s.Float32s()); diff != "" {
		t.Errorf("Slice data (-want +got):\n%s", diff)
	}
	s.Float32s()[0] = 20 // a view: writes show in the parent
	if a.Float32s()[2] != 20 {
		t.Errorf("Slice copied: parent element 2 = %v, want 20", a.Float32s()[2])
	}
	r, err := a.Reshape(-1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2, 3}, r.Shape()); diff != "" {
		t.Errorf("Reshape(-1, 3) shape (-want +got):\n%s", diff)
	}

	for _, c := range []struct {
		lo, hi int
		want   string
	}{
		{-1, 2, "slice [-1:2] out of range for axis 0 of size 3"},
		{2, 1, "slice [2:1] out of range"},
		{0, 4, "slice [0:4] out of range"},
	} {
		t.Run(fmt.Sprintf("%d:%d", c.lo, c.hi), func(t *testing.T) {
			if _, err := a.Slice(c.lo, c.hi); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Slice(%d, %d) error = %v, want it to contain %q", c.lo, c.hi, err, c.want)
			}
		})
	}
	scalar := Must(FromFloat32([]float32{1}))
	scalar, _ = scalar.Reshape()
	if _, err := scalar.Slice(0, 1); err == nil || !strings.Contains(err.Error(), "0-d") {
		t.Errorf("Slice of a 0-d array: error = %v, want a 0-d error", err)
	}
	for _, shape := range [][]int{{4, 2}, {-1, 4}, {-1, -1}, {-2, 3}, {0, -1}, {5}} {
		if _, err := a.Reshape(shape...); err == nil || !strings.Contains(err.Error(), "cannot reshape float32(3, 2)") {
			t.Errorf("Reshape%v error = %v, want cannot reshape", shape, err)
		}
	}
}

func TestConstructorsRejectBadShapes(t *testing.T) {
	if _, err := FromFloat32(make([]float32, 5), 2, 3); err == nil || !strings.Contains(err.Error(), "needs 6 elements, data has 5") {
		t.Errorf("FromFloat32 with a short slice: %v", err)
	}
	if _, err := FromInts(Float32, nil); err == nil {
		t.Error("FromInts(Float32) succeeded")
	}
	if _, err := Zeros(Float32, 2, -1); err == nil {
		t.Error("Zeros with a negative dimension succeeded")
	}
	if _, err := FromFloat64(nil, math.MaxInt, 3); err == nil {
		t.Error("overflowing shape accepted")
	}
}

func TestShapeString(t *testing.T) {
	for _, c := range []struct {
		shape []int
		want  string
	}{{nil, "()"}, {[]int{3}, "(3,)"}, {[]int{3, 1}, "(3, 1)"}, {[]int{0, 3}, "(0, 3)"}} {
		t.Run(c.want, func(t *testing.T) {
			if got := ShapeString(c.shape); got != c.want {
				t.Errorf("ShapeString(%v) = %q, want %q", c.shape, got, c.want)
			}
		})
	}
}

func TestRow(t *testing.T) {
	a := Must(FromInt64([]int64{0, 1, 2, 3, 4, 5}, 3, 2))
	r, err := a.Row(2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{4, 5}, r.Int64s()); diff != "" {
		t.Errorf("Row(2) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{2}, r.Shape()); diff != "" {
		t.Errorf("Row(2) shape (-want +got):\n%s", diff)
	}
	e, err := r.Row(1)
	if err != nil {
		t.Fatal(err)
	}
	if e.NDim() != 0 || e.Size() != 1 || e.Int64s()[0] != 5 {
		t.Errorf("Row of a 1-D array = %v %v, want 0-d [5]", e, e.Int64s())
	}
	if _, err := a.Row(3); err == nil || !strings.Contains(err.Error(), "row 3 out of range for axis 0 of size 3") {
		t.Errorf("Row(3): %v", err)
	}
	if _, err := e.Row(0); err == nil {
		t.Error("Row of a 0-d array succeeded")
	}
}
