package verify

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestDotPlan compares the template-pair dot product through the vector
// kernel with dotPairwise (numpy's pairwise order in plain Go) bit for bit,
// on rows whose values span many magnitudes and signs, so that any change
// of summation order shows in the last bits. Under -tags purego (or on a
// CPU without AVX) both sides take the plain path.
func TestDotPlan(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 34))
	val := func() float64 {
		return (rng.Float64() - 0.5) * math.Ldexp(1, rng.IntN(40)-20)
	}
	for _, d := range []int{1, 7, 8, 100, 128, 136, 256, 512, 640, 1024, 2048, 8192, 16384} {
		p := newDotPlan(d)
		if haveVectorKernel && (d == 128 || d == 256 || d == 512 || d == 1024 || d == 8192) && !p.fast {
			t.Errorf("d=%d: no kernel plan", d)
		}
		a, b := make([]float64, d), make([]float64, d)
		for trial := 0; trial < 50; trial++ {
			for i := range a {
				a[i], b[i] = val(), val()
			}
			got, want := p.dot(a, b), dotPairwise(a, b)
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("d=%d trial %d: kernel %.17g, plain %.17g", d, trial, got, want)
			}
			// four rows against b at once: b's row with a, a itself, and
			// two halves-swapped copies
			a2, a3 := append(slices.Clone(a[d/2:]), a[:d/2]...), append(slices.Clone(b[d/2:]), b[:d/2]...)
			var out [4]float64
			p.dot4(b, a, b, a2, a3, &out)
			for k, w := range []float64{want, dotPairwise(b, b), dotPairwise(a2, b), dotPairwise(a3, b)} {
				if math.Float64bits(out[k]) != math.Float64bits(w) {
					t.Fatalf("d=%d trial %d dot4[%d]: kernel %.17g, plain %.17g", d, trial, k, out[k], w)
				}
			}
			if haveAVX512 && p.fast {
				// eight rows at once: those four and their negations
				rows := [8][]float64{a, b, a2, a3}
				for k := 4; k < 8; k++ {
					rows[k] = make([]float64, d)
					for i, v := range rows[k-4] {
						rows[k][i] = -v * 1.5
					}
				}
				var out8 [8]float64
				var ptrs [8]*float64
				for k := range rows {
					ptrs[k] = &rows[k][0]
				}
				p.dot8(&b[0], &ptrs, &out8)
				for k := range rows {
					if w := dotPairwise(rows[k], b); math.Float64bits(out8[k]) != math.Float64bits(w) {
						t.Fatalf("d=%d trial %d dot8[%d]: kernel %.17g, plain %.17g", d, trial, k, out8[k], w)
					}
				}
			}
		}
	}
}

// TestDotPlanOrder checks the kernel against a value only numpy's order
// gives: in 512 elements, leaf 0 (elements 0-127) holds 1e16 at element 0
// and 1 at elements 8, 16, ..., 120 (lane r0), which vanish when added to
// 1e16 one by one but survive when summed first; the other leaves are 0.
func TestDotPlanOrder(t *testing.T) {
	a, b := make([]float64, 512), make([]float64, 512)
	for i := range b {
		b[i] = 1
	}
	a[0] = 1e16
	for i := 8; i < 128; i += 8 {
		a[i] = 1
	}
	a[1] = -1e16
	// lane r0 = 1e16 + 15 ones added one at a time (each 1 is lost at
	// 1e16, whose spacing is 2), lane r1 = -1e16; numpy gives 0.
	p := newDotPlan(512)
	if got := p.dot(a, b); got != 0 {
		t.Errorf("dot = %v, want 0 (numpy's lane order)", got)
	}
	if got := dotPairwise(a, b); got != 0 {
		t.Errorf("dotPairwise = %v, want 0", got)
	}
}
