package verify

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestSortDescendingShapes checks sortDescending against a comparison sort
// on the score shapes its value buckets must survive: smooth, crowded
// around a mode, piles of equal scores, float32 values, scores a few ulps
// apart, subnormals, signed zeros and infinities, on one core and on all.
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

// TestROCTieHints: the ROC built with the tie list of the parallel sort
// equals the one built by reading every impostor score, on curves of more
// than parallelSortMin impostors with distinct scores, many ties, a few
// genuine scores or many, genuine scores equal to impostor ones, zeros.
func TestROCTieHints(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct {
		name     string
		genShare int // one genuine score per genShare
		score    func() float64
	}{
		{"distinct, few genuine", 500, func() float64 { return r.NormFloat64() }},
		{"distinct, half genuine", 2, func() float64 { return r.NormFloat64() }},
		{"grid of 1e-4, few genuine", 300, func() float64 { return math.Round(r.NormFloat64()*1e4) / 1e4 }},
		{"grid of 1e-6", 50, func() float64 { return math.Round(r.NormFloat64()*1e6) / 1e6 }},
		{"float32", 100, func() float64 { return float64(float32(r.NormFloat64())) }},
		{"signed zeros", 100, func() float64 { return []float64{0, math.Copysign(0, -1), r.NormFloat64()}[r.IntN(3)] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gen, imp []float64
			n := parallelSortMin*tc.genShare/(tc.genShare-1) + 4321
			for i := 0; i < n || len(imp) < parallelSortMin; i++ {
				if r.IntN(tc.genShare) == 0 {
					gen = append(gen, tc.score()+0.5)
				} else {
					imp = append(imp, tc.score())
				}
			}
			for i := 0; i < len(gen); i += 7 {
				gen[i] = imp[r.IntN(len(imp))] // genuine scores tied with impostor ones
			}
			sortDescending(gen)
			ties, hinted := sortDescendingTies(imp)
			if strings.HasPrefix(tc.name, "distinct") && !hinted {
				t.Fatalf("no tie list for %d distinct impostor scores", len(imp))
			}
			t.Logf("%d genuine, %d impostor scores, %d ties listed (%v)", len(gen), len(imp), len(ties), hinted)
			for _, keepAll := range []bool{false, true} {
				want, err := rocFromSorted(gen, imp, positiveZero, keepAll, nil, false)
				if err != nil {
					t.Fatal(err)
				}
				got, err := rocFromSorted(gen, imp, positiveZero, keepAll, ties, hinted)
				if err != nil {
					t.Fatal(err)
				}
				if len(got.FPR) != len(want.FPR) {
					t.Fatalf("keepAll %v: %d points with the tie list, %d reading every score", keepAll, len(got.FPR), len(want.FPR))
				}
				for i := range want.FPR {
					if got.FPR[i] != want.FPR[i] || got.TPR[i] != want.TPR[i] || math.Float64bits(got.Thresholds[i]) != math.Float64bits(want.Thresholds[i]) {
						t.Fatalf("keepAll %v: point %d (%v, %v, %v), want (%v, %v, %v)", keepAll, i,
							got.FPR[i], got.TPR[i], got.Thresholds[i], want.FPR[i], want.TPR[i], want.Thresholds[i])
					}
				}
			}
		})
	}
}
