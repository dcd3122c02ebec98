package verify

import (
	"fmt"
	"strings"
)

// Score says how two embeddings are compared and how thresholds read.
type Score int

const (
	// SquaredL2 is insightface's score: the squared Euclidean distance
	// between L2-normalised rows, in [0, 4]. A pair is "same" when its
	// distance is below the threshold (strictly).
	SquaredL2 Score = iota
	// Cosine is the cosine similarity of the two rows, in [-1, 1]. A pair is
	// "same" when its similarity is above the threshold (strictly). On unit
	// vectors cos = 1 - d/2 for squared-L2 distance d.
	Cosine
)

// String returns "l2" or "cosine", the names ParseScore accepts.
func (s Score) String() string {
	switch s {
	case SquaredL2:
		return "l2"
	case Cosine:
		return "cosine"
	}
	return fmt.Sprintf("Score(%d)", int(s))
}

// ParseScore returns the Score named "l2" (or "squared-l2") or "cosine".
func ParseScore(name string) (Score, error) {
	switch strings.ToLower(name) {
	case "l2", "squared-l2", "squared_l2", "euclidean":
		return SquaredL2, nil
	case "cosine", "cos":
		return Cosine, nil
	}
	return 0, fmt.Errorf("verify: unknown score %q (want l2 or cosine)", name)
}

// Mode says how each fold's thresholds are chosen.
type Mode int

const (
	// GridMode is insightface's: the best of a fixed threshold grid (400
	// points for accuracy, 4000 for VAL), so published numbers reproduce
	// digit for digit.
	GridMode Mode = iota
	// ExactMode considers every cut between distinct training scores, found
	// with one sort of all pairs. Thresholds are midpoints between adjacent
	// distinct training scores; the training accuracy is never below the
	// grid's, and nothing is quantised.
	ExactMode
)

// String returns "grid" or "exact", the names ParseMode accepts.
func (m Mode) String() string {
	switch m {
	case GridMode:
		return "grid"
	case ExactMode:
		return "exact"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode returns the Mode named "grid" or "exact".
func ParseMode(name string) (Mode, error) {
	switch strings.ToLower(name) {
	case "grid", "insightface":
		return GridMode, nil
	case "exact":
		return ExactMode, nil
	}
	return 0, fmt.Errorf("verify: unknown mode %q (want grid or exact)", name)
}

// Options configures the k-fold protocol. The zero value is insightface's
// evaluate(): 10 folds, grid thresholds, squared-L2 distance, VAL at FAR 1e-3.
type Options struct {
	// Folds is the number of contiguous folds (0 means 10). With 1 fold the
	// threshold is tuned and tested on all pairs.
	Folds int
	// Mode picks grid (default) or exact threshold search.
	Mode Mode
	// Score picks squared-L2 distance (default) or cosine similarity.
	Score Score
	// FARTarget is the training false-accept rate at which VAL is taken
	// (0 means 1e-3).
	FARTarget float64
	// AccuracyGrid and VALGrid override the threshold grids of GridMode
	// (zero values mean AccuracyGrid and VALGrid). With Cosine they run over
	// the cosine distance 1 - cos, and their defaults have half the steps
	// (0.005 and 0.0005), spanning [0, 2) with the same number of points.
	AccuracyGrid, VALGrid Grid
}

func (o Options) withDefaults() (Options, error) {
	if o.Folds == 0 {
		o.Folds = 10
	}
	if o.Folds < 0 {
		return o, fmt.Errorf("verify: folds must be positive, got %d", o.Folds)
	}
	if o.FARTarget == 0 {
		o.FARTarget = DefaultFARTarget
	}
	if !(o.FARTarget > 0 && o.FARTarget <= 1) {
		return o, fmt.Errorf("verify: FAR target must be in (0, 1], got %v", o.FARTarget)
	}
	if o.Mode != GridMode && o.Mode != ExactMode {
		return o, fmt.Errorf("verify: unknown mode %d", int(o.Mode))
	}
	if o.Score != SquaredL2 && o.Score != Cosine {
		return o, fmt.Errorf("verify: unknown score %d", int(o.Score))
	}
	scale := 1.0
	if o.Score == Cosine {
		scale = 0.5
	}
	if o.AccuracyGrid == (Grid{}) {
		o.AccuracyGrid = Grid{Step: AccuracyGrid.Step * scale, N: AccuracyGrid.N}
	}
	if o.VALGrid == (Grid{}) {
		o.VALGrid = Grid{Step: VALGrid.Step * scale, N: VALGrid.N}
	}
	if err := o.AccuracyGrid.validate("accuracy"); err != nil {
		return o, err
	}
	if err := o.VALGrid.validate("VAL"); err != nil {
		return o, err
	}
	return o, nil
}

// toInternal maps a score in the user's units to the internal dissimilarity
// (lower means "same"): distances stay, similarities become 1 - cos, clamped
// at 0 so that rounding above cos = 1 cannot put a pair below threshold 0.
func (s Score) toInternal(x float64) float64 {
	if s == Cosine {
		v := 1 - x
		if v < 0 {
			v = 0
		}
		return v
	}
	return x
}

// fromInternal maps an internal threshold back to the user's units.
func (s Score) fromInternal(t float64) float64 {
	if s == Cosine {
		return 1 - t
	}
	return t
}
