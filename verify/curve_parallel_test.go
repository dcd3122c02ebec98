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

// TestPartitionScoresParallel: from parallelSortMin scores on, the genuine
// ones are found on all cores; the result is the serial loop's, in the
// same order, with few genuine scores (the parallel path) or many (the
// serial fallback), on one core and on several.
func TestPartitionScoresParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	r := rand.New(rand.NewPCG(21, 22))
	n := parallelSortMin + 777
	s := make([]float64, n)
	for i := range s {
		s[i] = r.Float64()
	}
	for _, share := range []int{1000, 3} {
		g := make([]bool, n)
		for i := range g {
			g[i] = r.IntN(share) == 0
		}
		want := slices.Clone(s)
		k := 0
		for i := range want {
			if g[i] {
				want[k], want[i] = want[i], want[k]
				k++
			}
		}
		for _, procs := range []int{1, 2, 3} {
			runtime.GOMAXPROCS(procs)
			got := slices.Clone(s)
			gen, imp, err := PartitionScores(got, g)
			if err != nil {
				t.Fatal(err)
			}
			if len(gen) != k || len(imp) != n-k || !slices.Equal(got, want) {
				t.Fatalf("one genuine in %d, %d cores: %d + %d scores, want %d + %d, or another order", share, procs, len(gen), len(imp), k, n-k)
			}
		}
	}
}

// TestScanScoresParallel: NewCurveOwning's check on all cores names the
// first bad score and takes the sign of the first zero, wherever they lie
// among the chunks.
func TestScanScoresParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	n := parallelSortMin + 99
	for _, tc := range []struct {
		set  map[int]float64
		zero zeroSign
		err  string
	}{
		{map[int]float64{n - 5: math.Copysign(0, -1), n - 1: 0}, negativeZero, ""},
		{map[int]float64{5: 0, n - 5: math.Copysign(0, -1)}, positiveZero, ""},
		{map[int]float64{n / 2: math.Copysign(0, -1), n - 1: 0, 3: 1}, negativeZero, ""},
		{map[int]float64{n - 3: math.Inf(1), n - 9: math.NaN()}, noZero, "score " + strconv.Itoa(n-9) + " is NaN"},
		{map[int]float64{n - 3: math.Inf(1), 10: math.Inf(-1)}, noZero, "score 10 is -Inf"},
		{map[int]float64{}, noZero, ""},
	} {
		s := make([]float64, n)
		for i := range s {
			s[i] = 0.5
		}
		for i, x := range tc.set {
			s[i] = x
		}
		z, err := scanScores(s)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%v: %v", tc.set, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%v: error %v, want %q", tc.set, err, tc.err)
		case tc.err == "" && z != tc.zero:
			t.Errorf("%v: zero sign %v, want %v", tc.set, z, tc.zero)
		}
	}
}
