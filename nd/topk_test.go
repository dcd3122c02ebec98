package nd

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTopKHandWorked(t *testing.T) {
	// shape (2, 5):
	// [[3, NaN, 5, 3, -1],
	//  [0, 2, 2, NaN, NaN]]
	a := Must(FromFloat32([]float32{3, nan32, 5, 3, -1, 0, 2, 2, nan32, nan32}, 2, 5))
	for _, c := range []struct {
		k, axis int
		want    []int64
		shape   []int
	}{
		{1, 1, []int64{1, 3}, []int{2, 1}},
		{3, 1, []int64{1, 2, 0, 3, 4, 1}, []int{2, 3}},
		{5, -1, []int64{1, 2, 0, 3, 4, 3, 4, 1, 2, 0}, []int{2, 5}},
		{9, 1, []int64{1, 2, 0, 3, 4, 3, 4, 1, 2, 0}, []int{2, 5}}, // clamped to 5
		// along axis 0, columns: (3,0) (NaN,2) (5,2) (3,NaN) (-1,NaN)
		{1, 0, []int64{0, 0, 0, 1, 1}, []int{1, 5}},
		{2, 0, []int64{0, 0, 0, 1, 1, 1, 1, 1, 0, 0}, []int{2, 5}},
	} {
		t.Run(fmt.Sprintf("k=%d,axis=%d", c.k, c.axis), func(t *testing.T) {
			got, shape, err := TopK(a, c.k, c.axis, nil)
			if err != nil {
				t.Fatalf("k=%d axis=%d: %v", c.k, c.axis, err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("TopK k=%d axis=%d (-want +got):\n%s", c.k, c.axis, diff)
			}
			if diff := cmp.Diff(c.shape, shape); diff != "" {
				t.Errorf("TopK k=%d axis=%d shape (-want +got):\n%s", c.k, c.axis, diff)
			}
		})
	}
	ints := Must(FromInt64([]int64{1<<53 + 1, 1 << 53, 1<<53 + 2, 7}))
	got, _, err := TopK(ints, 3, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{2, 0, 1}, got); diff != "" {
		t.Errorf("int64 TopK (-want +got):\n%s", diff)
	}
}

func TestTopKErrors(t *testing.T) {
	a := Must(FromFloat32([]float32{1, 2, 3}))
	if _, _, err := TopK(a, 0, 0, nil); err == nil || !strings.Contains(err.Error(), "k >= 1, got 0") {
		t.Errorf("k=0: %v", err)
	}
	if _, _, err := TopK(a, 1, 1, nil); err == nil || !strings.Contains(err.Error(), "axis 1 is out of bounds for array of shape (3,)") {
		t.Errorf("axis 1: %v", err)
	}
	scalar, _ := a.Row(0)
	if _, _, err := TopK(scalar, 1, 0, nil); err == nil {
		t.Error("TopK of a 0-d array succeeded")
	}
	empty := Must(Zeros(Float64, 3, 0))
	got, shape, err := TopK(empty, 2, 1, nil)
	if err != nil || len(got) != 0 || !slices.Equal(shape, []int{3, 0}) {
		t.Errorf("TopK over an empty axis = %v %v %v, want [] (3, 0) nil", got, shape, err)
	}
}

// refTopK sorts all indices with RankOf's order and keeps k.
func refTopK(row []float32, k int) []int64 {
	idx := make([]int64, len(row))
	for i := range idx {
		idx[i] = int64(i)
	}
	slices.SortStableFunc(idx, func(x, y int64) int {
		switch {
		case gt(row[x], row[y]):
			return -1
		case gt(row[y], row[x]):
			return 1
		}
		return 0
	})
	return idx[:min(k, len(row))]
}

// TestTopKRandom checks both selection paths (insertion for k <= 16, heap
// above) against a full sort, along every axis, on rows full of ties, NaNs
// and infinities, and checks membership against RankOf.
func TestTopKRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 300; trial++ {
		shape := []int{1 + r.IntN(3), 1 + r.IntN(70), 1 + r.IntN(3)}
		size := shape[0] * shape[1] * shape[2]
		data := make([]float32, size)
		for i := range data {
			switch r.IntN(25) {
			case 0:
				data[i] = nan32
			case 1:
				data[i] = ninf32
			case 2:
				data[i] = inf32
			case 3:
				data[i] = negz32
			default:
				data[i] = float32(r.IntN(10))
			}
		}
		a := Must(FromFloat32(data, shape...))
		f64 := make([]float64, size)
		for i, v := range data {
			f64[i] = float64(v)
		}
		b := Must(FromFloat64(f64, shape...))
		axis := r.IntN(3)
		k := 1 + r.IntN(40)
		got, gotShape, err := TopK(a, k, axis, nil)
		if err != nil {
			t.Fatal(err)
		}
		got64, _, err := TopK(b, k, axis, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := shape[axis]
		kk := min(k, n)
		wantShape := slices.Clone(shape)
		wantShape[axis] = kk
		if !slices.Equal(gotShape, wantShape) {
			t.Fatalf("shape %v axis %d k %d: result shape %v, want %v", shape, axis, k, gotShape, wantShape)
		}
		strides := []int{shape[1] * shape[2], shape[2], 1}
		outStrides := []int{wantShape[1] * wantShape[2], wantShape[2], 1}
		// Walk every row along axis.
		for i0 := 0; i0 < shape[0]; i0++ {
			for i1 := 0; i1 < shape[1]; i1++ {
				for i2 := 0; i2 < shape[2]; i2++ {
					pos := []int{i0, i1, i2}
					if pos[axis] != 0 {
						continue
					}
					row := make([]float32, n)
					for j := range row {
						pos[axis] = j
						row[j] = data[pos[0]*strides[0]+pos[1]*strides[1]+pos[2]*strides[2]]
					}
					pos[axis] = 0
					want := refTopK(row, k)
					res := make([]int64, kk)
					res64 := make([]int64, kk)
					for j := range res {
						pos[axis] = j
						o := pos[0]*outStrides[0] + pos[1]*outStrides[1] + pos[2]*outStrides[2]
						res[j], res64[j] = got[o], got64[o]
					}
					if diff := cmp.Diff(want, res); diff != "" {
						t.Fatalf("TopK(k=%d) of row %v (-want +got):\n%s", k, row, diff)
					}
					if diff := cmp.Diff(want, res64); diff != "" {
						t.Fatalf("float64 TopK(k=%d) of row %v (-want +got):\n%s", k, row, diff)
					}
					for rank, i := range res {
						if RankOf(row, int(i)) != rank {
							t.Fatalf("row %v: TopK puts %d at rank %d, RankOf says %d", row, i, rank, RankOf(row, int(i)))
						}
					}
				}
			}
		}
	}
}

func TestTopKReusesDst(t *testing.T) {
	a := Must(FromFloat32([]float32{1, 3, 2, 0}, 2, 2))
	dst := make([]int64, 0, 16)
	got, _, err := TopK(a, 1, 1, dst)
	if err != nil {
		t.Fatal(err)
	}
	if &got[0] != &dst[:1][0] {
		t.Error("TopK did not reuse dst's storage")
	}
	if diff := cmp.Diff([]int64{1, 0}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
