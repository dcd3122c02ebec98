package verify

import (
	"math"
	"slices"
)

// exactSearch chooses thresholds over every cut between distinct training
// values. All pairs are sorted once; each fold is then one linear scan of the
// sorted order that skips the fold's test block, so a protocol of k folds
// costs O(n log n + k·n).
type exactSearch struct {
	v     []float64
	same  []bool
	order []int32 // pair indices by ascending v
}

func newExactSearch(v []float64, same []bool) *exactSearch {
	order := make([]int32, len(v))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		switch {
		case v[a] < v[b]:
			return -1
		case v[a] > v[b]:
			return 1
		}
		return int(a - b)
	})
	return &exactSearch{v: v, same: same, order: order}
}

// cut is a candidate threshold: accept the training pairs with value below
// it. tp and fp count the accepted same and different pairs.
type cut struct {
	threshold float64
	tp, fp    int64
}

// scan calls visit for every cut of the training pairs of fold (all pairs
// when all is true), from "accept none" upwards, and returns the training
// class totals. Each threshold lies halfway between the last accepted and the
// next training value; "accept none" uses the smallest value and "accept
// all" the float just above the largest.
func (e *exactSearch) scan(fold Fold, all bool, visit func(c cut, npos, nneg int64) bool) {
	var npos, nneg int64
	for _, p := range e.order {
		if !all && fold.inTest(int(p)) {
			continue
		}
		if e.same[p] {
			npos++
		} else {
			nneg++
		}
	}
	if npos+nneg == 0 {
		return
	}
	var c cut
	first := true
	prev := 0.0
	for _, p := range e.order {
		if !all && fold.inTest(int(p)) {
			continue
		}
		x := e.v[p]
		if first {
			c.threshold = x
			if !visit(c, npos, nneg) {
				return
			}
			first = false
		} else if x != prev {
			c.threshold = midpoint(prev, x)
			if !visit(c, npos, nneg) {
				return
			}
		}
		if e.same[p] {
			c.tp++
		} else {
			c.fp++
		}
		prev = x
	}
	c.threshold = math.Nextafter(prev, math.Inf(1))
	visit(c, npos, nneg)
}

// midpoint returns a threshold t with a < t <= b, halfway where the floats
// allow, so that a is accepted and b is not.
func midpoint(a, b float64) float64 {
	m := a + (b-a)/2
	if !(m > a) {
		return b
	}
	return m
}

// bestAccuracy returns the lowest threshold with the highest training
// accuracy, and that accuracy.
func (e *exactSearch) bestAccuracy(fold Fold, all bool) (th, acc float64) {
	acc = -1
	e.scan(fold, all, func(c cut, npos, nneg int64) bool {
		a := float64(c.tp+nneg-c.fp) / float64(npos+nneg)
		if a > acc {
			th, acc = c.threshold, a
		}
		return true
	})
	return th, acc
}

// valThreshold returns the highest threshold whose training false-accept
// rate is at most target (a rate of 0 when there are no negatives).
func (e *exactSearch) valThreshold(fold Fold, all bool, target float64) float64 {
	var th float64
	e.scan(fold, all, func(c cut, npos, nneg int64) bool {
		far := 0.0
		if nneg > 0 {
			far = float64(c.fp) / float64(nneg)
		}
		if far > target {
			return false
		}
		th = c.threshold
		return true
	})
	return th
}
