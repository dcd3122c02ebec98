package verify

// gridCounts holds, for every fold, how many same and different pairs are
// first predicted "same" at each grid index: bucket g counts the pairs whose
// value lies in [t[g-1], t[g]) (bucket 0 those below t[0]), bucket N those
// never accepted. A pair is accepted at threshold i exactly when its bucket
// is <= i, so cumulating buckets gives every threshold's confusion counts.
// The protocol then costs O(pairs · log grid + folds · grid) instead of
// insightface's O(folds · grid · pairs), with identical counts.
type gridCounts struct {
	folds []split
	total split
}

// split is the bucket counts of a set of pairs.
type split struct {
	pos, neg   []int64 // len N+1
	npos, nneg int64
}

func newGridCounts(v []float64, same []bool, folds []Fold, g Grid, vals []float64) *gridCounts {
	c := &gridCounts{folds: make([]split, len(folds)), total: newSplit(g.N)}
	for f, fold := range folds {
		s := newSplit(g.N)
		for p := fold.TestStart; p < fold.TestEnd; p++ {
			b := g.firstAbove(vals, v[p])
			if same[p] {
				s.pos[b]++
				s.npos++
			} else {
				s.neg[b]++
				s.nneg++
			}
		}
		c.folds[f] = s
		for b := range s.pos {
			c.total.pos[b] += s.pos[b]
			c.total.neg[b] += s.neg[b]
		}
		c.total.npos += s.npos
		c.total.nneg += s.nneg
	}
	return c
}

func newSplit(n int) split {
	return split{pos: make([]int64, n+1), neg: make([]int64, n+1)}
}

// split returns fold f's training and test counts. With a single fold both
// are all pairs (insightface's LFold). The training split is freshly
// allocated.
func (c *gridCounts) split(f, k int) (train, test split) {
	test = c.folds[f]
	if k == 1 {
		return test, test
	}
	train = newSplit(len(test.pos) - 1)
	for b := range train.pos {
		train.pos[b] = c.total.pos[b] - test.pos[b]
		train.neg[b] = c.total.neg[b] - test.neg[b]
	}
	train.npos = c.total.npos - test.npos
	train.nneg = c.total.nneg - test.nneg
	return train, test
}

// bestAccuracy returns the first grid index with the highest accuracy
// (tp + tn) / n, as np.argmax over calculate_accuracy's acc, and that
// accuracy.
func (s split) bestAccuracy() (best int, acc float64) {
	n := float64(s.npos + s.nneg)
	var tp, fp int64
	acc = -1
	for i := 0; i < len(s.pos)-1; i++ {
		tp += s.pos[i]
		fp += s.neg[i]
		a := float64(tp+s.nneg-fp) / n
		if a > acc {
			best, acc = i, a
		}
	}
	return best, acc
}

// addRates adds the true- and false-positive rates at every grid index to
// tpr and fpr (calculate_accuracy's tpr, fpr: 0 when the class is absent).
func (s split) addRates(tpr, fpr []float64) {
	var tp, fp int64
	for i := range tpr {
		tp += s.pos[i]
		fp += s.neg[i]
		if s.npos > 0 {
			tpr[i] += float64(tp) / float64(s.npos)
		}
		if s.nneg > 0 {
			fpr[i] += float64(fp) / float64(s.nneg)
		}
	}
}

// farCurve writes the false-accept rate at every grid index into dst
// (calculate_val_far's far; 0 when there are no negatives, where
// insightface divides by zero).
func (s split) farCurve(dst []float64) {
	var fp int64
	for i := range dst {
		fp += s.neg[i]
		if s.nneg > 0 {
			dst[i] = float64(fp) / float64(s.nneg)
		} else {
			dst[i] = 0
		}
	}
}
