package nd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	nan32  = float32(math.NaN())
	inf32  = float32(math.Inf(1))
	ninf32 = float32(math.Inf(-1))
	negz32 = float32(math.Copysign(0, -1))
)

func TestArgMaxFloat32HandWorked(t *testing.T) {
	for _, c := range []struct {
		name string
		row  []float32
		want int
	}{
		{"empty", nil, -1},
		{"one", []float32{-3}, 0},
		{"ascending", []float32{1, 2, 3}, 2},
		{"tie keeps first", []float32{1, 5, 2, 5}, 1},
		{"all equal", []float32{7, 7, 7, 7, 7, 7, 7, 7, 7}, 0},
		{"first NaN wins", []float32{1, 9, nan32, 2, nan32}, 2},
		{"NaN at 0", []float32{nan32, 9, 10}, 0},
		{"NaN after +Inf", []float32{inf32, 1, nan32}, 2},
		{"+Inf without NaN", []float32{1, inf32, 2, inf32}, 1},
		{"-Inf only", []float32{ninf32, ninf32, ninf32}, 0},
		{"-Inf then finite", []float32{ninf32, ninf32, -1e38}, 2},
		{"-0 equals +0", []float32{negz32, 0, -1}, 0},
		{"+0 equals -0", []float32{0, negz32}, 0},
		{"max in tail after a block of 16", append(make([]float32, 17), 1, 0, 1), 17},
		{"NaN in the second block", append(append(make([]float32, 20), 3), nan32, 4), 21},
		{"max at 16 (block boundary)", append(make([]float32, 16), 1), 16},
		{"max at 1 (first of a block)", append([]float32{0, 1}, make([]float32, 30)...), 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ArgMaxFloat32(c.row); got != c.want {
				t.Errorf("%s: ArgMaxFloat32(%v) = %d, want %d", c.name, c.row, got, c.want)
			}
		})
	}
}

// refArgMax is the rule spelled out: the first NaN, else the first maximum.
func refArgMax(row []float32) int {
	for i, v := range row {
		if v != v {
			return i
		}
	}
	bi := 0
	for i, v := range row {
		if v > row[bi] {
			bi = i
		}
	}
	return bi
}

// TestArgMaxFloat32Lengths puts the maximum, a tie and a NaN at every
// position of rows of every length up to 40, covering the blocks of 16 and
// the tail loop.
func TestArgMaxFloat32Lengths(t *testing.T) {
	for n := 1; n <= 40; n++ {
		for p := 0; p < n; p++ {
			row := make([]float32, n)
			for i := range row {
				row[i] = float32(i%3) - 5
			}
			row[p] = 1
			if got := ArgMaxFloat32(row); got != p {
				t.Fatalf("n=%d: max at %d: got %d", n, p, got)
			}
			for q := p + 1; q < n; q++ { // a later tie loses
				row[q] = 1
				if got := ArgMaxFloat32(row); got != p {
					t.Fatalf("n=%d: ties at %d and %d: got %d", n, p, q, got)
				}
				row[q] = nan32 // a later NaN wins
				if got := ArgMaxFloat32(row); got != q {
					t.Fatalf("n=%d: max at %d, NaN at %d: got %d", n, p, q, got)
				}
				row[q] = -5
			}
			ninf := make([]float32, n)
			for i := range ninf {
				ninf[i] = ninf32
			}
			if got := ArgMaxFloat32(ninf); got != 0 {
				t.Fatalf("n=%d: all -Inf: got %d", n, got)
			}
		}
	}
}

func TestArgMaxFloat32Random(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 2000; trial++ {
		n := 1 + r.IntN(100)
		row := make([]float32, n)
		for i := range row {
			switch r.IntN(20) {
			case 0:
				row[i] = nan32
			case 1:
				row[i] = inf32
			case 2:
				row[i] = ninf32
			default:
				row[i] = float32(r.IntN(7)) // many ties
			}
		}
		if trial%2 == 0 { // half the rows without NaN
			for i := range row {
				if row[i] != row[i] {
					row[i] = 0
				}
			}
		}
		if got, want := ArgMaxFloat32(row), refArgMax(row); got != want {
			t.Fatalf("ArgMaxFloat32(%v) = %d, want %d", row, got, want)
		}
		f64 := make([]float64, n)
		for i, v := range row {
			f64[i] = float64(v)
		}
		if got, want := ArgMaxFloat64(f64), refArgMax(row); got != want {
			t.Fatalf("ArgMaxFloat64(%v) = %d, want %d", f64, got, want)
		}
	}
}

func TestArgMaxAxes(t *testing.T) {
	// shape (2, 3, 2):
	// [[[1, 9], [5, 9], [5, 0]],
	//  [[NaN, 0], [2, 3], [7, NaN]]]
	a := Must(FromFloat32([]float32{1, 9, 5, 9, 5, 0, nan32, 0, 2, 3, 7, nan32}, 2, 3, 2))
	for _, c := range []struct {
		axis  int
		want  []int64
		shape []int
	}{
		{0, []int64{1, 0, 0, 0, 1, 1}, []int{3, 2}},
		{1, []int64{1, 0, 0, 2}, []int{2, 2}},
		{-1, []int64{1, 1, 0, 0, 1, 1}, []int{2, 3}},
		{2, []int64{1, 1, 0, 0, 1, 1}, []int{2, 3}},
	} {
		t.Run(fmt.Sprintf("axis=%d", c.axis), func(t *testing.T) {
			got, shape, err := ArgMax(a, c.axis, nil)
			if err != nil {
				t.Fatalf("axis %d: %v", c.axis, err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("ArgMax axis %d (-want +got):\n%s", c.axis, diff)
			}
			if diff := cmp.Diff(c.shape, shape); diff != "" {
				t.Errorf("ArgMax axis %d shape (-want +got):\n%s", c.axis, diff)
			}
		})
	}
	// Integer arrays compare as integers, even above 2^53.
	big := Must(FromInt64([]int64{1<<53 + 1, 1<<53 + 2, 1 << 53, -1, -1, -1}, 2, 3))
	for axis, want := range map[int][]int64{1: {1, 0}, 0: {0, 0, 0}} {
		got, _, err := ArgMax(big, axis, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("int64 ArgMax axis %d (-want +got):\n%s", axis, diff)
		}
	}
	if _, _, err := ArgMax(a, 3, nil); err == nil || !strings.Contains(err.Error(), "axis 3 is out of bounds for array of shape (2, 3, 2)") {
		t.Errorf("bad axis: %v", err)
	}
	empty := Must(Zeros(Float32, 2, 0))
	if _, _, err := ArgMax(empty, 1, nil); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty axis: %v", err)
	}
	// dst is reused.
	dst := make([]int64, 0, 8)
	got, _, _ := ArgMax(a, 0, dst)
	if &got[0] != &dst[:1][0] {
		t.Error("ArgMax did not reuse dst's storage")
	}
}

func TestRankOf(t *testing.T) {
	row := []float32{3, nan32, 5, 3, nan32, -1, 5}
	// Order: NaN@1, NaN@4, 5@2, 5@6, 3@0, 3@3, -1@5.
	want := []int{4, 0, 2, 5, 1, 6, 3}
	for i, w := range want {
		if got := RankOf(row, i); got != w {
			t.Errorf("RankOf(%v, %d) = %d, want %d", row, i, got, w)
		}
	}
	// RankOf(row, ArgMax) is always 0.
	if got := RankOf(row, ArgMaxFloat32(row)); got != 0 {
		t.Errorf("rank of the argmax = %d", got)
	}
	if got := RankOf([]float32{0, negz32}, 1); got != 1 {
		t.Errorf("-0 after +0 ranks %d, want 1 (a tie, lower index first)", got)
	}
}

// TestArgMaxFloat32Kernels puts the maximum, a later tie and a NaN at every
// position of rows long enough for the SIMD kernel (GOEXPERIMENT=simd), and
// checks the built kernel against the rule and the scalar kernel.
func TestArgMaxFloat32Kernels(t *testing.T) {
	t.Logf("kernel: %s", simdKernel)
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{63, 64, 65, 95, 96, 97, 130, 200} {
		base := make([]float32, n)
		for i := range base {
			base[i] = float32(r.IntN(50)) - 100
		}
		for p := 0; p < n; p++ {
			row := slices.Clone(base)
			row[p] = 1
			check := func(what string) {
				t.Helper()
				want := refArgMax(row)
				if got := ArgMaxFloat32(row); got != want {
					t.Fatalf("n=%d %s: ArgMaxFloat32 = %d, want %d", n, what, got, want)
				}
				if got := argMaxFloat32Scalar(row); got != want {
					t.Fatalf("n=%d %s: scalar kernel = %d, want %d", n, what, got, want)
				}
			}
			check(fmt.Sprintf("max at %d", p))
			q := (p*7 + 3) % n
			row[q] = 1
			check(fmt.Sprintf("max at %d and %d", p, q))
			row[q] = nan32
			check(fmt.Sprintf("max at %d, NaN at %d", p, q))
			row[p] = ninf32
			check(fmt.Sprintf("-Inf at %d, NaN at %d", p, q))
		}
	}
}
