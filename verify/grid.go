package verify

import (
	"fmt"
	"math"
)

// Grid is an evenly spaced list of thresholds Step·i for i in [0, N), each
// computed as float64(i)*Step — the value numpy's arange(0, N·Step, Step)
// holds, which is not always the decimal one (950 × 0.001 is
// 0.9500000000000001, so a distance of exactly 0.95 is below that point).
type Grid struct {
	Step float64
	N    int
}

// The grids of insightface's evaluate(): 400 accuracy thresholds 0, 0.01, …,
// 3.99 and 4000 VAL thresholds 0, 0.001, …, 3.999 (squared L2 on unit
// vectors lies in [0, 4]).
var (
	AccuracyGrid = Grid{Step: 0.01, N: 400}
	VALGrid      = Grid{Step: 0.001, N: 4000}
)

// Value returns threshold i, float64(i)*Step.
func (g Grid) Value(i int) float64 { return float64(i) * g.Step }

// Values returns all N thresholds.
func (g Grid) Values() []float64 {
	v := make([]float64, g.N)
	for i := range v {
		v[i] = g.Value(i)
	}
	return v
}

func (g Grid) validate(what string) error {
	if g.N < 1 || !(g.Step > 0) || math.IsInf(g.Step, 0) {
		return fmt.Errorf("verify: %s grid needs N >= 1 and a finite Step > 0, got N=%d Step=%v", what, g.N, g.Step)
	}
	return nil
}

// firstAbove returns the index of the first threshold greater than v (N when
// none is): a pair with value v is predicted "same" (v < t) exactly at the
// thresholds from that index on. NaN is above no threshold, so it is never
// predicted same, as np.less(nan, t) is False.
func (g Grid) firstAbove(vals []float64, v float64) int {
	// An arithmetic guess, then a correction against the real grid values,
	// keeps this exact for any rounding of v/Step.
	if !(v >= 0) {
		if v < 0 {
			return 0
		}
		return g.N // NaN
	}
	i := int(math.Min(v/g.Step, float64(g.N)))
	if i < 0 {
		i = 0
	}
	for i > 0 && vals[i-1] > v {
		i--
	}
	for i < g.N && vals[i] <= v {
		i++
	}
	return i
}
