package verify

import (
	"fmt"
	"math"
)

// Result is the outcome of the k-fold verification protocol: insightface's
// evaluate() return values and the per-fold details it computes on the way.
// Thresholds are in the units of the Score used (squared-L2 distance, or
// cosine similarity); a pair is "same" when its distance is below (or its
// similarity above) the threshold.
type Result struct {
	// Pairs is the number of pairs evaluated; Mode and Score echo the options.
	Pairs int   `json:"pairs"`
	Mode  Mode  `json:"-"`
	Score Score `json:"-"`
	// Accuracy and AccuracyStd are the mean and population standard
	// deviation of FoldAccuracies: insightface's "Accuracy-Flip: %1.5f+-%1.5f".
	Accuracy    float64 `json:"accuracy"`
	AccuracyStd float64 `json:"accuracy_std"`
	// FoldAccuracies holds each fold's test accuracy at its best threshold.
	FoldAccuracies []float64 `json:"fold_accuracies"`
	// TrainAccuracies holds each fold's training accuracy at that threshold.
	TrainAccuracies []float64 `json:"train_accuracies"`
	// BestThresholds holds each fold's threshold: the first (lowest) one
	// with the highest training accuracy.
	BestThresholds []float64 `json:"best_thresholds"`
	// VAL and VALStd are the mean and population standard deviation of the
	// per-fold true-accept rates at the threshold whose training FAR is
	// FARTarget; FAR is the mean test false-accept rate there.
	VAL    float64 `json:"val"`
	VALStd float64 `json:"val_std"`
	FAR    float64 `json:"far"`
	// FoldVAL, FoldFAR and VALThresholds are the per-fold values behind VAL.
	FoldVAL       []float64 `json:"fold_val"`
	FoldFAR       []float64 `json:"fold_far"`
	VALThresholds []float64 `json:"val_thresholds"`
	// XNorm is the mean L2 norm of the raw embedding rows (original and
	// flipped) when the result came from embeddings, else 0.
	XNorm float64 `json:"xnorm"`
	// Thresholds is the accuracy grid; TPR and FPR are the test-fold rates
	// at each of its points, averaged over folds (insightface's tpr, fpr).
	Thresholds []float64 `json:"thresholds"`
	TPR        []float64 `json:"tpr"`
	FPR        []float64 `json:"fpr"`
	// Warnings names degenerate folds (no positive or no negative pairs),
	// where a rate with a zero denominator was taken as 0; insightface
	// raises ZeroDivisionError there.
	Warnings []string `json:"warnings,omitempty"`
}

// Evaluate runs the k-fold verification protocol over one score per pair:
// squared-L2 distances (opts.Score == SquaredL2, the default) or cosine
// similarities (opts.Score == Cosine). issame[i] labels pair i. Scores must be
// finite, and there must be at least as many pairs as folds.
//
// With the zero Options this is insightface's evaluate(): 10 contiguous
// folds, accuracy thresholds 0.01·i (i < 400), VAL@FAR=1e-3 on thresholds
// 0.001·i (i < 4000) through SciPy 1.8's 'slinear' interpolation.
func Evaluate(scores []float64, issame []bool, opts Options) (*Result, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(scores) != len(issame) {
		return nil, fmt.Errorf("verify: %d scores but %d issame labels; need one label per pair", len(scores), len(issame))
	}
	if len(scores) > math.MaxInt32 {
		return nil, fmt.Errorf("verify: %d pairs; at most %d can be evaluated at once", len(scores), math.MaxInt32)
	}
	for i, s := range scores {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("verify: score of pair %d is %v; scores must be finite", i, s)
		}
	}
	if err := checkBothClasses(issame); err != nil {
		return nil, err
	}
	// evaluate only reads v: squared-L2 distances are used as given.
	v := scores
	if o.Score != SquaredL2 {
		v = make([]float64, len(scores))
		for i, s := range scores {
			v[i] = o.Score.toInternal(s)
		}
	}
	return evaluate(v, issame, o)
}

// evaluate runs the protocol on internal dissimilarities v (lower = same).
func evaluate(v []float64, same []bool, o Options) (*Result, error) {
	n := len(v)
	if n == 0 {
		return nil, fmt.Errorf("verify: no pairs to evaluate")
	}
	folds, err := KFold(n, o.Folds)
	if err != nil {
		return nil, err
	}
	k := len(folds)
	r := &Result{
		Pairs:           n,
		Mode:            o.Mode,
		Score:           o.Score,
		FoldAccuracies:  make([]float64, k),
		TrainAccuracies: make([]float64, k),
		BestThresholds:  make([]float64, k),
		FoldVAL:         make([]float64, k),
		FoldFAR:         make([]float64, k),
		VALThresholds:   make([]float64, k),
	}
	accVals := o.AccuracyGrid.Values()
	valVals := o.VALGrid.Values()
	acc := newGridCounts(v, same, folds, o.AccuracyGrid, accVals, true)
	var val *gridCounts
	if o.Mode == GridMode {
		// VAL@FAR reads only the training false-accept curve.
		val = newGridCounts(v, same, folds, o.VALGrid, valVals, false)
	}

	// insightface's mean ROC over the accuracy grid, test folds averaged in
	// fold order (np.mean over axis 0 adds row by row).
	T := o.AccuracyGrid.N
	r.TPR = make([]float64, T)
	r.FPR = make([]float64, T)
	var ex *exactSearch
	if o.Mode == ExactMode {
		ex = newExactSearch(v, same)
	}
	farTrain := make([]float64, o.VALGrid.N)
	for f, fold := range folds {
		tr, te := acc.split(f, k)
		r.warnFold(f, "test", te)
		if k > 1 {
			r.warnFold(f, "training", tr)
		}
		var best float64 // internal threshold
		switch o.Mode {
		case GridMode:
			i, trainAcc := tr.bestAccuracy()
			best = accVals[i]
			r.TrainAccuracies[f] = trainAcc
		case ExactMode:
			best, r.TrainAccuracies[f] = ex.bestAccuracy(fold, k == 1)
		}
		r.BestThresholds[f] = o.Score.fromInternal(best)
		r.FoldAccuracies[f] = testAccuracy(v, same, fold, best)
		te.addRates(r.TPR, r.FPR)

		var th float64
		switch o.Mode {
		case GridMode:
			vtr, _ := val.split(f, k)
			vtr.farCurve(farTrain)
			if farTrain[len(farTrain)-1] >= o.FARTarget {
				th = slinear(farTrain, valVals, o.FARTarget)
			}
		case ExactMode:
			th = ex.valThreshold(fold, k == 1, o.FARTarget)
		}
		r.VALThresholds[f] = o.Score.fromInternal(th)
		r.FoldVAL[f], r.FoldFAR[f] = valFAR(v, same, fold, th)
	}
	for i := range r.TPR {
		r.TPR[i] /= float64(k)
		r.FPR[i] /= float64(k)
	}
	r.Thresholds = make([]float64, T)
	for i, t := range accVals {
		r.Thresholds[i] = o.Score.fromInternal(t)
	}
	r.Accuracy = npMean(r.FoldAccuracies)
	r.AccuracyStd = npStd(r.FoldAccuracies)
	r.VAL = npMean(r.FoldVAL)
	r.VALStd = npStd(r.FoldVAL)
	r.FAR = npMean(r.FoldFAR)
	return r, nil
}

// checkBothClasses refuses labels of one class only: every fold would be
// degenerate twice over (insightface divides by zero), so one error says so
// instead of a warning per fold and split.
func checkBothClasses(issame []bool) error {
	same := 0
	for _, x := range issame {
		if x {
			same++
		}
	}
	switch {
	case len(issame) == 0:
		return nil // evaluate names the empty input
	case same == 0:
		return fmt.Errorf("verify: all %d pairs are different-identity pairs (issame is all false); the protocol needs same and different pairs", len(issame))
	case same == len(issame):
		return fmt.Errorf("verify: all %d pairs are same-identity pairs (issame is all true); the protocol needs same and different pairs", len(issame))
	}
	return nil
}

func (r *Result) warnFold(f int, part string, c split) {
	if c.npos == 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("fold %d: %s split has no positive (same) pairs; its true-accept rate is taken as 0", f, part))
	}
	if c.nneg == 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("fold %d: %s split has no negative (different) pairs; its false-accept rate is taken as 0", f, part))
	}
}

// testAccuracy is calculate_accuracy's acc on the fold's test block:
// (tp + tn) / n with "same" predicted when v < th.
func testAccuracy(v []float64, same []bool, fold Fold, th float64) float64 {
	var correct int
	for p := fold.TestStart; p < fold.TestEnd; p++ {
		if (v[p] < th) == same[p] {
			correct++
		}
	}
	return float64(correct) / float64(fold.TestEnd-fold.TestStart)
}

// valFAR is calculate_val_far on the fold's test block: the true-accept and
// false-accept rates at threshold th, each 0 when its class is absent.
func valFAR(v []float64, same []bool, fold Fold, th float64) (val, far float64) {
	var ta, fa, ns, nd int
	for p := fold.TestStart; p < fold.TestEnd; p++ {
		acc := v[p] < th
		if same[p] {
			ns++
			if acc {
				ta++
			}
		} else {
			nd++
			if acc {
				fa++
			}
		}
	}
	if ns > 0 {
		val = float64(ta) / float64(ns)
	}
	if nd > 0 {
		far = float64(fa) / float64(nd)
	}
	return val, far
}
