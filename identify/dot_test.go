package identify

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDot64x4 compares dot64x4 with dot64 bit for bit on rows of every
// length 0…70, unaligned, with values over many magnitudes (so that the
// order of the additions shows in the result) and rows longer than a.
func TestDot64x4(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	buf := make([]float64, 5*80)
	for n := 0; n <= 70; n++ {
		for rep := range 10 {
			for i := range buf {
				buf[i] = r.NormFloat64() * math.Ldexp(1, r.IntN(60)-30)
				if r.IntN(10) == 0 {
					buf[i] = math.Copysign(0, -1)
				}
			}
			off := rep % 3
			a := buf[off : off+n]
			var b [4][]float64
			for c := range b {
				start := 80*(c+1) + (rep+c)%3
				b[c] = buf[start : start+n+c] // longer than a for c > 0
			}
			got := dot64x4(a, &b)
			for c := range b {
				if want := dot64(a, b[c]); math.Float64bits(got[c]) != math.Float64bits(want) {
					t.Fatalf("n=%d rep=%d row %d: dot64x4 %v, dot64 %v", n, rep, c, got[c], want)
				}
			}
		}
	}
}

// TestDot64HandWorked: the four partial sums and the tail, in order.
func TestDot64HandWorked(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	b := []float64{1e16, 1, -1e16, 1, 1, 1, 1, 1, -1}
	// s0 = 1e16 + 5 - 9 (the tail), s1 = 2 + 6, s2 = -3e16 + 7, s3 = 4 + 8:
	// 1e16+5 rounds to 1e16+4 (spacing 2), then -9 gives 1e16-5 → 1e16-4;
	// -3e16+7 rounds to -3e16+8 (spacing 4); (1e16-4+8) + (-3e16+8+12)
	want := (float64(1e16-4) + 8) + (float64(-3e16+8) + 12)
	if got := dot64(a, b); got != want {
		t.Errorf("dot64 = %v, want %v", got, want)
	}
	got := dot64x4(a, &[4][]float64{b, b, b, b})
	for c, v := range got {
		if v != want {
			t.Errorf("dot64x4 row %d = %v, want %v", c, v, want)
		}
	}
}

func BenchmarkDot64(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	a := make([]float64, 512)
	var rows [4][]float64
	for i := range a {
		a[i] = r.NormFloat64()
	}
	for c := range rows {
		rows[c] = make([]float64, 512)
		for i := range rows[c] {
			rows[c][i] = r.NormFloat64()
		}
	}
	b.Run("dot64x4", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dot64x4(a, &rows)
		}
	})
	b.Run("dot64-four-times", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for c := range rows {
				dot64(a, rows[c])
			}
		}
	})
}
