package verify

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	parallelfor "github.com/evalkit/evalkit/internal/parallel"
)

// Curve accumulates genuine and impostor scores (higher means "same") for
// exact curve metrics: ROC, AUC, EER and TAR@FAR. Its state is the scores
// themselves, the sufficient statistics of an exact ROC, so it streams
// (Add per batch), merges (sharded evaluation + Merge equals one sequential
// pass exactly) and round-trips through JSON. Memory is 8 bytes per score;
// for unbounded streams use Histogram.
//
// The zero value is an empty curve. A Curve is safe for concurrent use.
type Curve struct {
	mu       sync.Mutex
	genuine  []float64
	impostor []float64
	zero     zeroSign // sign of the first zero score added
}

// zeroSign records the sign of the first zero score a curve saw. −0 and +0
// are one threshold; scikit-learn's roc_curve reports it with the sign of
// the zero that came first in its input (its stable sort, reversed, ends
// each group of ties with the earliest score), so the curve keeps that sign.
type zeroSign uint8

const (
	noZero zeroSign = iota
	positiveZero
	negativeZero
)

// see notes s, a score, if it is the first zero.
func (z *zeroSign) see(s float64) {
	if s == 0 && *z == noZero {
		*z = positiveZero
		if math.Signbit(s) {
			*z = negativeZero
		}
	}
}

// firstZero returns the sign of the first zero in genuine, else impostor.
func firstZero(genuine, impostor []float64) zeroSign {
	var z zeroSign
	for _, s := range genuine {
		if z.see(s); z != noZero {
			return z
		}
	}
	for _, s := range impostor {
		z.see(s)
	}
	return z
}

// apply gives a zero threshold the recorded sign.
func (z zeroSign) apply(t float64) float64 {
	switch {
	case t != 0:
		return t
	case z == negativeZero:
		return math.Copysign(0, -1)
	}
	return 0
}

// NewCurveOwning returns a curve holding the given genuine and impostor
// scores without copying them: the curve owns the slices from then on (it
// reorders them when computing a ROC, and appends may reuse their storage).
// Use it to evaluate tens of millions of scores already in memory; see
// PartitionScores to split a labelled score array in place. The order of
// the scores is not known, so a zero threshold takes the sign of the first
// zero in genuine, else in impostor (scikit-learn: the first in its input).
func NewCurveOwning(genuine, impostor []float64) (*Curve, error) {
	zg, err := scanScores(genuine)
	if err != nil {
		return nil, err
	}
	zi, err := scanScores(impostor)
	if err != nil {
		return nil, err
	}
	if zg == noZero {
		zg = zi
	}
	return &Curve{genuine: genuine, impostor: impostor, zero: zg}, nil
}

// PartitionScores reorders scores in place so that the genuine ones come
// first, and returns the two parts (sharing scores' storage; the order
// within each part is not kept). It fails on a length mismatch.
func PartitionScores(scores []float64, genuine []bool) (gen, imp []float64, err error) {
	if len(scores) != len(genuine) {
		return nil, nil, fmt.Errorf("verify: %d scores but %d labels", len(scores), len(genuine))
	}
	// each core partitions a chunk in place; the genuine scores of the
	// later chunks (few) are then swapped into the front
	workers := 1
	if len(scores) >= 1<<20 {
		workers = runtime.GOMAXPROCS(0)
	}
	gens := make([]int, workers)
	_ = parallelfor.For(len(scores), workers, func(w, lo, hi int) error {
		g := lo
		for i := lo; i < hi; i++ {
			if genuine[i] {
				scores[g], scores[i] = scores[i], scores[g]
				g++
			}
		}
		gens[w] = g - lo
		return nil
	})
	g := gens[0]
	for w := 1; w < workers; w++ {
		lo, _ := parallelfor.Split(len(scores), w, workers)
		for i := lo; i < lo+gens[w]; i++ { // g ≤ i: the front holds no genuine score not yet placed
			scores[g], scores[i] = scores[i], scores[g]
			g++
		}
	}
	return scores[:g:g], scores[g:], nil
}

// Add appends scores with their labels (true = genuine pair). It fails,
// adding nothing, on a length mismatch or a score that is not finite (an
// infinite score would tie with the ROC's "accept nothing" threshold).
func (c *Curve) Add(scores []float64, genuine []bool) error {
	if len(scores) != len(genuine) {
		return fmt.Errorf("verify: %d scores but %d labels", len(scores), len(genuine))
	}
	if err := checkScores(scores); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.grow(genuine)
	for i, s := range scores {
		c.push(s, genuine[i])
	}
	return nil
}

// grow makes room for a batch in one allocation per class, so that Add
// costs O(batch) and allocates nothing once the curve has reached its size.
func (c *Curve) grow(genuine []bool) {
	g := 0
	for _, x := range genuine {
		if x {
			g++
		}
	}
	c.genuine = slices.Grow(c.genuine, g)
	c.impostor = slices.Grow(c.impostor, len(genuine)-g)
}

// AddFloat32 is Add for float32 scores.
func (c *Curve) AddFloat32(scores []float32, genuine []bool) error {
	if len(scores) != len(genuine) {
		return fmt.Errorf("verify: %d scores but %d labels", len(scores), len(genuine))
	}
	for i, s := range scores {
		if f := float64(s); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("verify: score %d is %v; scores must be finite", i, s)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.grow(genuine)
	for i, s := range scores {
		c.push(float64(s), genuine[i])
	}
	return nil
}

// AddSplit appends genuine and impostor scores given separately.
func (c *Curve) AddSplit(genuine, impostor []float64) error {
	if err := checkScores(genuine); err != nil {
		return err
	}
	if err := checkScores(impostor); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.genuine = slices.Grow(c.genuine, len(genuine))
	c.impostor = slices.Grow(c.impostor, len(impostor))
	for _, x := range genuine {
		c.push(x, true)
	}
	for _, x := range impostor {
		c.push(x, false)
	}
	return nil
}

// scanScores checks that scores are finite and returns the sign of the
// first zero among them, in one pass (on all cores for millions).
func scanScores(scores []float64) (zeroSign, error) {
	w := 1
	if len(scores) >= parallelSortMin {
		w = runtime.GOMAXPROCS(0)
	}
	zs := make([]zeroSign, w)
	err := parallelfor.For(len(scores), w, func(k, lo, hi int) error {
		z, err := scanChunk(scores[lo:hi], lo)
		zs[k] = z
		return err
	})
	for _, z := range zs {
		if z != noZero || err != nil {
			return z, err
		}
	}
	return noZero, err
}

// scanChunk is scanScores over scores[lo:], given as s.
func scanChunk(s []float64, lo int) (zeroSign, error) {
	var z zeroSign
	for i, x := range s {
		if x-x != 0 { // NaN or ±Inf
			return z, fmt.Errorf("verify: score %d is %v; scores must be finite", lo+i, x)
		}
		if x == 0 && z == noZero {
			z.see(x)
		}
	}
	return z, nil
}

func checkScores(scores []float64) error {
	for i, s := range scores {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return fmt.Errorf("verify: score %d is %v; scores must be finite", i, s)
		}
	}
	return nil
}

func (c *Curve) push(s float64, genuine bool) {
	c.zero.see(s)
	if genuine {
		c.genuine = append(c.genuine, s)
	} else {
		c.impostor = append(c.impostor, s)
	}
}

// Merge adds other's scores to c. other is not changed.
func (c *Curve) Merge(other *Curve) error {
	if other == nil {
		return nil
	}
	if other == c {
		return fmt.Errorf("verify: cannot merge a curve into itself")
	}
	other.mu.Lock()
	g := append([]float64(nil), other.genuine...)
	im := append([]float64(nil), other.impostor...)
	z := other.zero
	other.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.zero == noZero {
		c.zero = z
	}
	c.genuine = append(c.genuine, g...)
	c.impostor = append(c.impostor, im...)
	return nil
}

// Reset empties the curve, keeping its memory.
func (c *Curve) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.genuine, c.impostor = c.genuine[:0], c.impostor[:0]
	c.zero = noZero
}

// Len returns the number of genuine and impostor scores.
func (c *Curve) Len() (genuine, impostor int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.genuine), len(c.impostor)
}

// ROC computes the exact ROC with collinear points dropped, as
// scikit-learn's roc_curve. It sorts the stored scores (the state is a
// multiset, so nothing observable changes) in O(n) time for scores spread
// smoothly, using all cores and, for a million scores or more, a
// temporary buffer of half the class's size.
func (c *Curve) ROC() (*ROC, error) { return c.roc(false) }

// FullROC is ROC with every distinct threshold kept
// (drop_intermediate=False).
func (c *Curve) FullROC() (*ROC, error) { return c.roc(true) }

func (c *Curve) roc(keepAll bool) (*ROC, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sortDescending(c.genuine)
	if !keepAll && len(c.genuine) > 0 && len(c.impostor) >= parallelSortMin {
		if r, ok, err := parallelROC(c.genuine, c.impostor, c.zero); ok {
			return r, err
		}
	} else {
		sortDescending(c.impostor)
	}
	return rocFromSorted(c.genuine, c.impostor, c.zero, keepAll)
}

// curveJSON is the serialised state of a Curve.
type curveJSON struct {
	Kind     string    `json:"kind"`
	Genuine  []float64 `json:"genuine"`
	Impostor []float64 `json:"impostor"`
	// FirstZero is "-0" or "+0" when the first zero score added was
	// negative or positive zero and could not be told from the lists.
	FirstZero string `json:"first_zero,omitempty"`
}

// MarshalJSON encodes the scores: {"kind":"exact-curve","genuine":[…],
// "impostor":[…]}, plus "first_zero" ("-0" or "+0") when the sign of the
// first zero score differs from what the lists' order tells.
func (c *Curve) MarshalJSON() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, im := c.genuine, c.impostor
	if g == nil {
		g = []float64{}
	}
	if im == nil {
		im = []float64{}
	}
	s := curveJSON{Kind: "exact-curve", Genuine: g, Impostor: im}
	if c.zero != firstZero(g, im) {
		s.FirstZero = "+0"
		if c.zero == negativeZero {
			s.FirstZero = "-0"
		}
	}
	return json.Marshal(s)
}

// UnmarshalJSON replaces the state with one written by MarshalJSON.
func (c *Curve) UnmarshalJSON(b []byte) error {
	var s curveJSON
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("verify: curve state: %w", err)
	}
	if s.Kind != "exact-curve" {
		return fmt.Errorf("verify: curve state has kind %q, want \"exact-curve\"", s.Kind)
	}
	if err := checkScores(s.Genuine); err != nil {
		return err
	}
	if err := checkScores(s.Impostor); err != nil {
		return err
	}
	z := firstZero(s.Genuine, s.Impostor)
	switch s.FirstZero {
	case "":
	case "+0":
		z = positiveZero
	case "-0":
		z = negativeZero
	default:
		return fmt.Errorf("verify: curve state has first_zero %q, want \"+0\" or \"-0\"", s.FirstZero)
	}
	if z != noZero && firstZero(s.Genuine, s.Impostor) == noZero {
		return fmt.Errorf("verify: curve state has first_zero %q but no zero score", s.FirstZero)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.genuine, c.impostor, c.zero = s.Genuine, s.Impostor, z
	return nil
}
