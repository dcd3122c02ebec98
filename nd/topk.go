package nd

import (
	"fmt"
	"slices"
)

// topKInsertMax is the largest k served by insertion into a sorted buffer;
// larger k use a heap.
const topKInsertMax = 16

// TopK returns the indices of the k largest elements along axis (negative
// counts from the end), in descending order, appended to dst[:0], and the
// shape of the result: a's shape with axis replaced by k. The order is
// RankOf's and ArgMax's: NaN above everything, ties broken by lower index,
// so the first index of each result row is ArgMax's. k larger than the
// axis is clamped to its size (an empty axis gives an empty result); k < 1
// is an error.
//
// Selection is partial, not a sort: each row costs n comparisons against
// the running k-th largest, plus O(k) (O(log k) for k > 16) for each
// element that enters the running top k, which for random data is a few
// dozen per row; so small k over long rows (top-5 over 85,742 classes) is
// about as cheap as ArgMax.
func TopK(a *Array, k, axis int, dst []int64) ([]int64, []int, error) {
	s := a.Shape()
	ax := axis
	if ax < 0 {
		ax += len(s)
	}
	if ax < 0 || ax >= len(s) {
		return dst, nil, fmt.Errorf("nd: topk axis %d is out of bounds for array of shape %s", axis, ShapeString(s))
	}
	if k < 1 {
		return dst, nil, fmt.Errorf("nd: topk needs k >= 1, got %d", k)
	}
	n := s[ax]
	k = min(k, n)
	outer, inner := 1, 1
	for _, d := range s[:ax] {
		outer *= d
	}
	for _, d := range s[ax+1:] {
		inner *= d
	}
	shape := slices.Clone(s)
	shape[ax] = k
	total := outer * k * inner
	out := slices.Grow(dst[:0], total)[:total]
	if total == 0 {
		return out, shape, nil
	}
	switch a.dtype.storage() {
	case Float32:
		topKRows(a.f32, outer, n, inner, k, out)
	case Float64:
		topKRows(a.f64, outer, n, inner, k, out)
	default:
		topKRows(a.i64, outer, n, inner, k, out)
	}
	return out, shape, nil
}

type number interface{ float32 | float64 | int64 }

// gt is the ranking order: NaN above everything, then the usual order.
func gt[T number](x, y T) bool {
	if x != x {
		return y == y
	}
	return x > y
}

type ranked[T number] struct {
	v T
	i int64
}

// before reports whether x ranks above y: larger, or equal and earlier.
func before[T number](x, y ranked[T]) bool {
	return gt(x.v, y.v) || (!gt(y.v, x.v) && x.i < y.i)
}

// topKRows selects along the middle axis of data viewed as (outer, n, inner).
func topKRows[T number](data []T, outer, n, inner, k int, out []int64) {
	sel := make([]ranked[T], 0, k)
	var row []T
	if inner > 1 {
		row = make([]T, n)
	}
	for o := range outer {
		base := o * n * inner
		for in := range inner {
			r := data[base : base+n]
			if inner > 1 {
				for j := range row {
					row[j] = data[base+in+j*inner]
				}
				r = row
			}
			if k <= topKInsertMax {
				sel = topKInsert(r, k, sel[:0])
			} else {
				sel = topKHeap(r, k, sel[:0])
			}
			for j, e := range sel {
				out[(o*k+j)*inner+in] = e.i
			}
		}
	}
}

// topKInsert keeps sel sorted best first, inserting each element that beats
// the current k-th. A later element never wins a tie, so entering needs
// strictly greater; as in ArgMaxFloat32, blocks of 16 that are all <= the
// k-th cost one compare per element.
func topKInsert[T number](row []T, k int, sel []ranked[T]) []ranked[T] {
	insert := func(v T, j int) {
		p := len(sel)
		if p == k {
			p = k - 1
		} else {
			sel = append(sel, ranked[T]{})
		}
		for p > 0 && gt(v, sel[p-1].v) {
			sel[p] = sel[p-1]
			p--
		}
		sel[p] = ranked[T]{v, int64(j)}
	}
	j := 0
	for ; j < len(row) && len(sel) < k; j++ {
		insert(row[j], j)
	}
	for j < len(row) {
		t := sel[k-1].v
		if t != t {
			return sel // k NaNs: nothing later can enter
		}
		if j+16 <= len(row) {
			v := row[j : j+16 : j+16]
			if v[0] <= t && v[1] <= t && v[2] <= t && v[3] <= t &&
				v[4] <= t && v[5] <= t && v[6] <= t && v[7] <= t &&
				v[8] <= t && v[9] <= t && v[10] <= t && v[11] <= t &&
				v[12] <= t && v[13] <= t && v[14] <= t && v[15] <= t {
				j += 16
				continue
			}
			for q, x := range v {
				if gt(x, sel[k-1].v) {
					insert(x, j+q)
				}
			}
			j += 16
			continue
		}
		if x := row[j]; !(x <= t) { // larger, or NaN over a number
			insert(x, j)
		}
		j++
	}
	return sel
}

// topKHeap keeps the running top k in a heap with the worst at the root,
// then sorts it best first.
func topKHeap[T number](row []T, k int, h []ranked[T]) []ranked[T] {
	// down restores the heap below i: every parent ranks below its children.
	down := func(i int) {
		n := len(h)
		for {
			c := 2*i + 1
			if c >= n {
				return
			}
			if c+1 < n && before(h[c], h[c+1]) {
				c++ // the worse child
			}
			if !before(h[i], h[c]) {
				return
			}
			h[i], h[c] = h[c], h[i]
			i = c
		}
	}
	for j, v := range row {
		if len(h) < k {
			h = append(h, ranked[T]{v, int64(j)})
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !before(h[p], h[i]) {
					break
				}
				h[p], h[i] = h[i], h[p]
				i = p
			}
			continue
		}
		if t := h[0].v; !(v > t) && (v == v || t != t) {
			continue
		}
		h[0] = ranked[T]{v, int64(j)}
		down(0)
	}
	slices.SortFunc(h, func(x, y ranked[T]) int {
		if before(x, y) {
			return -1
		}
		if before(y, x) {
			return 1
		}
		return 0
	})
	return h
}
