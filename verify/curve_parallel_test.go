package verify

import (
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

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
