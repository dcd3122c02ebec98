package verify

import "fmt"

// Fold is one split of the k-fold protocol: pairs [TestStart, TestEnd) are
// the test block; every other pair trains. With a single fold the test block
// is everything and training uses the same pairs (insightface's LFold).
type Fold struct {
	TestStart, TestEnd int
}

// KFold splits n pairs into k contiguous folds in order, without shuffling,
// exactly as scikit-learn's KFold(n_splits=k, shuffle=False): every fold has
// n/k pairs and the first n%k folds one more. It returns an error when k < 1
// or k > n (scikit-learn refuses more splits than samples).
func KFold(n, k int) ([]Fold, error) {
	if k < 1 {
		return nil, fmt.Errorf("verify: need at least 1 fold, got %d", k)
	}
	if k > n {
		return nil, fmt.Errorf("verify: %d folds need at least %d pairs, got %d", k, k, n)
	}
	folds := make([]Fold, k)
	start := 0
	for i := range folds {
		size := n / k
		if i < n%k {
			size++
		}
		folds[i] = Fold{TestStart: start, TestEnd: start + size}
		start += size
	}
	return folds, nil
}

// inTest reports whether pair p is in the fold's test block.
func (f Fold) inTest(p int) bool { return p >= f.TestStart && p < f.TestEnd }
