package identify

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// scanValue draws from a small set of values, so rows have ties, zeros of
// both signs, ±Inf and NaN, or from a normal distribution.
func scanValue(r *rand.Rand, nan bool) float64 {
	special := []float64{-1, 0, math.Copysign(0, -1), 0.5, 1, math.Inf(1), math.Inf(-1), math.NaN()}
	if !nan {
		special = special[:len(special)-1]
	}
	if r.IntN(2) == 0 {
		return special[r.IntN(len(special))]
	}
	return r.NormFloat64()
}

// TestScanKernelsHandWorked checks rowMax and firstGE on rows whose answers
// are worked out by hand, with the interesting value past the first vector
// (index 8 and more) so that the kernel and the Go tail both take part.
func TestScanKernelsHandWorked(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	row := func(n int, set map[int]float64) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = -2
		}
		for i, v := range set {
			out[i] = float32(v)
		}
		return out
	}
	for _, c := range []struct {
		name    string
		row     []float32
		thr     float32
		max     float32
		firstGE int
	}{
		{"empty", nil, 0, float32(math.Inf(-1)), 0},
		{"NaN among values", row(19, map[int]float64{0: nan, 5: nan, 18: nan}), -3, -2, 1},
		{"NaN only", []float32{float32(nan), float32(nan)}, -3, float32(math.Inf(-1)), 2},
		{"tie, lower index first", row(40, map[int]float64{9: 1, 33: 1}), 1, 1, 9},
		{"max in the Go tail", row(37, map[int]float64{36: 3, 10: 2.5}), 2.75, 3, 36},
		{"+Inf", row(70, map[int]float64{64: inf, 3: 7}), float32(inf), float32(inf), 64},
		{"NaN never ≥", row(24, map[int]float64{8: nan, 16: 0}), -1, 0, 16},
		{"none", row(65, nil), -1, -2, 65},
	} {
		if got := rowMax(c.row); got != c.max {
			t.Errorf("%s: rowMax = %v, want %v", c.name, got, c.max)
		}
		if got := firstGE(c.row, c.thr); got != c.firstGE {
			t.Errorf("%s: firstGE(%v) = %d, want %d", c.name, c.thr, got, c.firstGE)
		}
		r64 := make([]float64, len(c.row))
		for i, v := range c.row {
			r64[i] = float64(v)
		}
		if got := rowMax(r64); got != float64(c.max) {
			t.Errorf("%s (float64): rowMax = %v, want %v", c.name, got, c.max)
		}
		if got := firstGE(r64, float64(c.thr)); got != c.firstGE {
			t.Errorf("%s (float64): firstGE = %d, want %d", c.name, got, c.firstGE)
		}
	}
}

func TestScanKernelsMatchScalar(t *testing.T) {
	t.Logf("vector kernel: %v", haveScanKernel)
	testScanKernels[float32](t)
	testScanKernels[float64](t)
}

// testScanKernels compares rowMax, firstGE and collectGE with their scalar
// definitions on rows of every length 0…70 at every start offset 0…7 of a
// buffer whose values outside the row are +Inf: a kernel reading past
// either end of its row would return them.
func testScanKernels[T float32 | float64](t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	name := "float32"
	if unsafe.Sizeof(T(0)) == 8 {
		name = "float64"
	}
	buf := make([]T, 96)
	scratch := make([]int32, 0, 8) // too short for most rows: collectGE grows it
	for n := 0; n <= 70; n++ {
		for off := range 8 {
			for rep := range 20 {
				for i := range buf {
					buf[i] = T(math.Inf(1))
				}
				row := buf[off : off+n]
				for i := range row {
					row[i] = T(scanValue(r, rep%2 == 0))
				}
				if got, want := rowMax(row), rowMaxGo(row); got != want {
					t.Fatalf("%s n=%d off=%d: rowMax = %v, scalar %v (row %v)", name, n, off, got, want, row)
				}
				thrs := []T{T(math.Inf(-1)), T(math.Inf(1)), T(math.NaN()), T(scanValue(r, false))}
				if n > 0 {
					thrs = append(thrs, row[r.IntN(n)], rowMaxGo(row))
				}
				for _, thr := range thrs {
					if got, want := firstGE(row, thr), firstGEGo(row, thr); got != want {
						t.Fatalf("%s n=%d off=%d: firstGE(%v) = %d, scalar %d (row %v)", name, n, off, thr, got, want, row)
					}
					var want []int32
					for i, v := range row {
						if v >= thr {
							want = append(want, int32(i))
						}
					}
					if got := collectGE(row, thr, scratch); !slices.Equal(got, want) {
						t.Fatalf("%s n=%d off=%d: collectGE(%v) = %v, scalar %v (row %v)", name, n, off, thr, got, want, row)
					}
				}
			}
		}
	}
}

func BenchmarkRowMax(b *testing.B) {
	row := make([]float32, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range row {
		row[i] = float32(r.NormFloat64())
	}
	b.Run("kernel", func(b *testing.B) {
		b.SetBytes(int64(4 * len(row)))
		b.ReportAllocs()
		for b.Loop() {
			rowMax(row)
		}
	})
	b.Run("scalar", func(b *testing.B) {
		b.SetBytes(int64(4 * len(row)))
		b.ReportAllocs()
		for b.Loop() {
			rowMaxGo(row)
		}
	})
}
