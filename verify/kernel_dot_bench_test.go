package verify

import "testing"

// BenchmarkDotPlanCached is one 512-element template dot product on rows
// in L1, the kernel's compute bound, against the plain Go path.
func BenchmarkDotPlanCached(b *testing.B) {
	x, y := make([]float64, 512), make([]float64, 512)
	for i := range x {
		x[i], y[i] = float64(i)*0.001, float64(512-i)*0.002
	}
	for _, name := range []string{"kernel", "plain"} {
		p := newDotPlan(512)
		if name == "plain" {
			p = dotPlan{d: 512}
		}
		b.Run(name, func(b *testing.B) {
			var s float64
			for b.Loop() {
				s += p.dot(x, y)
			}
			_ = s
		})
	}
}

// BenchmarkDotShared4Cached is four 512-element dot products against one
// row, in L1: dot4 (b loaded once for the four) against four dot calls.
func BenchmarkDotShared4Cached(b *testing.B) {
	rows := make([][]float64, 5)
	for k := range rows {
		rows[k] = make([]float64, 512)
		for i := range rows[k] {
			rows[k][i] = float64(i*(k+1)) * 0.001
		}
	}
	p := newDotPlan(512)
	b.Run("dot4", func(b *testing.B) {
		var out [4]float64
		for b.Loop() {
			p.dot4(rows[0], rows[1], rows[2], rows[3], rows[4], &out)
		}
	})
	b.Run("4xdot", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for k := 1; k < 5; k++ {
				s += p.dot(rows[k], rows[0])
			}
		}
		_ = s
	})
}
