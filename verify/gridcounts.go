package verify

// gridCounts holds, for a set of pairs, how many same and different pairs
// are first predicted "same" at each grid index: bucket g counts the pairs
// whose value lies in [t[g-1], t[g]) (bucket 0 those below t[0]), bucket N
// those never accepted. A pair is accepted at threshold i exactly when its
// bucket is <= i, so cumulating buckets gives every threshold's confusion
// counts. The protocol then costs O(pairs · log grid + folds · (grid + fold
// size)) instead of insightface's O(folds · grid · pairs), with identical
// counts.
//
// Only the counts of all pairs are kept, with each pair's bucket; a fold's
// test and training counts are rebuilt from them into two reused buffers,
// so memory stays O(pairs + grid) whatever the number of folds (a fresh
// page costs more than the arithmetic on this path).
type gridCounts struct {
	bucket      []int32 // per pair
	same        []bool
	folds       []Fold
	total       split
	train, test split // the buffers split returns
}

// split is the bucket counts of a set of pairs. Counts are int32: Evaluate
// refuses more pairs than that holds. pos is nil in counts made without
// them (npos is kept).
type split struct {
	pos, neg   []int32 // len N+1
	npos, nneg int64
}

// newGridCounts buckets every pair; withPos false keeps only the different
// pairs' buckets (enough for false-accept rates).
func newGridCounts(v []float64, same []bool, folds []Fold, g Grid, vals []float64, withPos bool) *gridCounts {
	c := &gridCounts{
		bucket: make([]int32, len(v)), same: same, folds: folds,
		total: newSplit(g.N, withPos), train: newSplit(g.N, withPos), test: newSplit(g.N, withPos),
	}
	for p, x := range v {
		b := g.firstAbove(vals, x)
		c.bucket[p] = int32(b)
		if same[p] {
			if withPos {
				c.total.pos[b]++
			}
			c.total.npos++
		} else {
			c.total.neg[b]++
			c.total.nneg++
		}
	}
	return c
}

func newSplit(n int, withPos bool) split {
	if !withPos {
		return split{neg: make([]int32, n+1)}
	}
	buf := make([]int32, 2*(n+1))
	return split{pos: buf[:n+1], neg: buf[n+1:]}
}

// split returns fold f's training and test counts. With a single fold both
// are all pairs (insightface's LFold). The returned splits share buffers
// that the next call overwrites.
func (c *gridCounts) split(f, k int) (train, test split) {
	fold := c.folds[f]
	if k == 1 {
		return c.total, c.total
	}
	te, tr := &c.test, &c.train
	clear(te.pos)
	clear(te.neg)
	te.npos, te.nneg = 0, 0
	for p := fold.TestStart; p < fold.TestEnd; p++ {
		if c.same[p] {
			if te.pos != nil {
				te.pos[c.bucket[p]]++
			}
			te.npos++
		} else {
			te.neg[c.bucket[p]]++
			te.nneg++
		}
	}
	for b := range tr.pos {
		tr.pos[b] = c.total.pos[b] - te.pos[b]
	}
	for b := range tr.neg {
		tr.neg[b] = c.total.neg[b] - te.neg[b]
	}
	tr.npos = c.total.npos - te.npos
	tr.nneg = c.total.nneg - te.nneg
	return *tr, *te
}

// bestAccuracy returns the first grid index with the highest accuracy
// (tp + tn) / n, as np.argmax over calculate_accuracy's acc, and that
// accuracy.
func (s split) bestAccuracy() (best int, acc float64) {
	n := float64(s.npos + s.nneg)
	var tp, fp int64
	acc = -1
	for i := 0; i < len(s.pos)-1; i++ {
		tp += int64(s.pos[i])
		fp += int64(s.neg[i])
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
		tp += int64(s.pos[i])
		fp += int64(s.neg[i])
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
		fp += int64(s.neg[i])
		if s.nneg > 0 {
			dst[i] = float64(fp) / float64(s.nneg)
		} else {
			dst[i] = 0
		}
	}
}
