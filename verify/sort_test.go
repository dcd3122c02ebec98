package verify

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

// TestSortDescendingShapes checks sortDescending against a comparison sort
// on the score shapes its value buckets must survive: smooth, crowded
// around a mode, piles of equal scores, float32 values, scores a few ulps
// apart, subnormals, signed zeros and infinities, rare outliers, on one
// core and on all.
func TestSortDescendingShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	gen := map[string]func(i int) float64{
		"normal":   func(int) float64 { return 0.02 + 0.09*r.NormFloat64() },
		"float32":  func(int) float64 { return float64(float32(r.NormFloat64())) },
		"pile":     func(i int) float64 { return []float64{0.5, 0.25, -1, 0.5 + 1e-12}[r.IntN(4)] },
		"ulps":     func(int) float64 { return math.Float64frombits(math.Float64bits(0.75) + uint64(r.IntN(300))) },
		"one pile": func(i int) float64 { return map[bool]float64{true: 0.3, false: r.Float64()}[i%100 != 0] },
		"subnormal": func(int) float64 {
			return math.Float64frombits(uint64(r.IntN(1 << 20)))
		},
		"zeros":  func(int) float64 { return []float64{0, math.Copysign(0, -1), 1e-300, -1e-300}[r.IntN(4)] },
		"inf":    func(int) float64 { return []float64{math.Inf(1), math.Inf(-1), r.Float64()}[r.IntN(3)] },
		"skewed": func(int) float64 { return math.Exp(8 * r.NormFloat64()) },
		"huge":   func(int) float64 { return (r.Float64() - 0.5) * math.MaxFloat64 },
		// far outside the range of the sample the parallel sort's buckets
		// are cut from (which takes every 32nd score here)
		"rare outliers": func(i int) float64 {
			if (i+1)%100003 == 0 {
				return []float64{1e300, -1e300, 7, -7}[r.IntN(4)]
			}
			return 0.5 + 1e-9*r.Float64()
		},
	}
	for name, g := range gen {
		for _, n := range []int{1000, 70000, parallelSortMin + 12345} {
			a := make([]float64, n)
			for i := range a {
				a[i] = g(i)
			}
			for _, procs := range []int{1, 2} {
				t.Run(name+"/"+strconv.Itoa(n)+"/procs "+strconv.Itoa(procs), func(t *testing.T) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
					got := slices.Clone(a)
					sortDescending(got)
					want := slices.Clone(a)
					slices.SortStableFunc(want, func(x, y float64) int { return -cmpFloat(x, y) })
					for i := range want {
						if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
							t.Fatalf("index %d: %v, want %v", i, got[i], want[i])
						}
					}
					// The multiset is kept, signed zeros included.
					if countNeg(got) != countNeg(a) {
						t.Fatalf("%d negative zeros after, %d before", countNeg(got), countNeg(a))
					}
				})
			}
		}
	}
}

func countNeg(a []float64) int {
	n := 0
	for _, x := range a {
		if x == 0 && math.Signbit(x) {
			n++
		}
	}
	return n
}

// BenchmarkSortScores sorts 10 million IJB-like impostor scores (normal,
// mean 0.02, sd 0.09) by value buckets (sortDescending) and by the bits'
// digits alone (sortByKeys, the previous sort), in the same run.
func BenchmarkSortScores(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 7))
	s := make([]float64, 10_000_000)
	for i := range s {
		s[i] = 0.02 + 0.09*r.NormFloat64()
	}
	a := make([]float64, len(s))
	for _, bc := range []struct {
		name string
		sort func([]float64)
	}{
		{"values", sortDescending},
		{"bits", func(a []float64) { var sc sortScratch; sortByKeys(a, &sc) }},
		{"values one core", func(a []float64) { defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)); sortDescending(a) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(s)) * 8)
			for b.Loop() {
				copy(a, s)
				bc.sort(a)
			}
		})
	}
}

// TestParallelROC: the ROC built bucket by bucket on the sorting cores
// (Curve.ROC from parallelSortMin impostor scores on) equals the one built
// serially from the sorted scores, point for point and bit for bit, on
// curves with distinct scores, many ties, a few genuine scores or many,
// genuine scores equal to impostor ones, above or below them all, signed
// zeros, a few values only (segments of one point), scores a few ulps
// apart, and subnormal scores (whose range the parallel sort cannot split
// by value).
func TestParallelROC(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct {
		name     string
		genShare int // one genuine score per genShare
		score    func() float64
		genShift float64
	}{
		{"distinct, few genuine", 500, func() float64 { return r.NormFloat64() }, 0.5},
		{"distinct, half genuine", 2, func() float64 { return r.NormFloat64() }, 0.5},
		{"genuine above and below all", 300, func() float64 { return r.NormFloat64() }, 8},
		{"grid of 1e-4, few genuine", 300, func() float64 { return math.Round(r.NormFloat64()*1e4) / 1e4 }, 0.5},
		{"grid of 1e-6", 50, func() float64 { return math.Round(r.NormFloat64()*1e6) / 1e6 }, 0.5},
		{"float32", 100, func() float64 { return float64(float32(r.NormFloat64())) }, 0.5},
		{"signed zeros", 100, func() float64 { return []float64{0, math.Copysign(0, -1), r.NormFloat64()}[r.IntN(3)] }, 0.5},
		{"few values", 100, func() float64 { return float64(r.IntN(300)) / 8 }, 0},
		{"subnormals", 100, func() float64 { return math.Float64frombits(uint64(r.IntN(300))) }, 0},
		{"ulps", 100, func() float64 { return math.Float64frombits(math.Float64bits(0.75) + uint64(r.IntN(300))) }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gen, imp []float64
			n := parallelSortMin*tc.genShare/(tc.genShare-1) + 4321
			for i := 0; i < n || len(imp) < parallelSortMin; i++ {
				if r.IntN(tc.genShare) == 0 {
					shift := tc.genShift
					if tc.genShift > 1 && r.IntN(2) == 0 {
						shift = -shift
					}
					gen = append(gen, tc.score()+shift)
				} else {
					imp = append(imp, tc.score())
				}
			}
			for i := 0; i < len(gen); i += 7 {
				gen[i] = imp[r.IntN(len(imp))] // genuine scores tied with impostor ones
			}
			sg, si := slices.Clone(gen), slices.Clone(imp)
			slices.SortFunc(sg, func(x, y float64) int { return -cmpFloat(x, y) })
			slices.SortFunc(si, func(x, y float64) int { return -cmpFloat(x, y) })
			for _, procs := range []int{1, 2, 3} {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				defer func(b, c int) { parallelBucket, keptChunk = b, c }(parallelBucket, keptChunk)
				if procs == 3 {
					parallelBucket = 1000 // about a thousand buckets
					keptChunk = 7         // segments over many chunks
				}
				c, err := NewCurveOwning(slices.Clone(gen), slices.Clone(imp))
				if err != nil {
					t.Fatal(err)
				}
				for _, keepAll := range []bool{false, true} {
					want, err := rocFromSorted(sg, si, c.zero, keepAll)
					if err != nil {
						t.Fatal(err)
					}
					got, err := c.roc(keepAll)
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("%d genuine, %d impostor scores, %d points, keepAll %v, %d cores", len(gen), len(imp), len(got.FPR), keepAll, procs)
					sameROC(t, got, want)
				}
			}
		})
	}
}

// sameROC fails unless got and want are the same curve, bit for bit.
func sameROC(t *testing.T, got, want *ROC) {
	t.Helper()
	if len(got.FPR) != len(want.FPR) || len(got.TPR) != len(want.FPR) || len(got.Thresholds) != len(want.FPR) {
		t.Fatalf("%d/%d/%d points, want %d", len(got.FPR), len(got.TPR), len(got.Thresholds), len(want.FPR))
	}
	if got.Positives != want.Positives || got.Negatives != want.Negatives {
		t.Fatalf("%d positives, %d negatives; want %d, %d", got.Positives, got.Negatives, want.Positives, want.Negatives)
	}
	for i := range want.FPR {
		if got.FPR[i] != want.FPR[i] || got.TPR[i] != want.TPR[i] || math.Float64bits(got.Thresholds[i]) != math.Float64bits(want.Thresholds[i]) {
			t.Fatalf("point %d (%v, %v, %v), want (%v, %v, %v)", i,
				got.FPR[i], got.TPR[i], got.Thresholds[i], want.FPR[i], want.TPR[i], want.Thresholds[i])
		}
	}
}

// TestInsertionSortNear checks the branch-free insertion sort on the
// inputs it is made for (scores at most a place or two from their own)
// and on any others: random, reversed, equal scores, signed zeros.
func TestInsertionSortNear(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	shapes := map[string]func(n int) []float64{
		"near": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(n-i) + 2.5*r.Float64()
			}
			return a
		},
		"random": func(n int) []float64 { return randFloats(r, n, func() float64 { return r.NormFloat64() }) },
		"reversed": func(n int) []float64 {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64(i)
			}
			return a
		},
		"few": func(n int) []float64 { return randFloats(r, n, func() float64 { return float64(r.IntN(3)) }) },
		"zeros": func(n int) []float64 {
			return randFloats(r, n, func() float64 { return []float64{0, math.Copysign(0, -1), 1, -1}[r.IntN(4)] })
		},
	}
	for name, shape := range shapes {
		for _, n := range []int{0, 1, 2, 3, 5, 17, 1000} {
			a := shape(n)
			got, want := slices.Clone(a), slices.Clone(a)
			insertionSortNear(got)
			slices.SortStableFunc(want, func(x, y float64) int { return -cmpFloat(x, y) })
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s, %d scores: index %d is %v, want %v", name, n, i, got[i], want[i])
				}
			}
			if countNeg(got) != countNeg(a) {
				t.Fatalf("%s, %d scores: %d negative zeros after, %d before", name, n, countNeg(got), countNeg(a))
			}
		}
	}
}

func randFloats(r *rand.Rand, n int, f func() float64) []float64 {
	a := make([]float64, n)
	for i := range a {
		a[i] = f()
	}
	return a
}
