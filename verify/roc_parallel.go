package verify

import "unsafe"

// rocSegments builds the ROC on the cores of sortParallel, bucket by
// bucket: each bucket of impostor scores, right after it is sorted and
// while it is in the cache, is merged with the genuine scores of its value
// range into its stretch of the ROC's points (the segment), whose interior
// points are decided there; one serial pass then decides the few points at
// the segments' ends and joins the pieces. Nothing reads the sorted scores
// again.
//
// The bucket map is non-increasing in the score, so the genuine scores,
// sorted descending, fall into the buckets in order, equal scores of both
// classes into the same bucket; those above or below the bucket map's
// range into the first or the last.
type rocSegments struct {
	gen, imp []float64 // gen sorted descending
	zero     zeroSign
	// gen[genStart[b]:genStart[b+1]] are the genuine scores of bucket b.
	genStart []int
	segs     []rocSegment
	workers  []rocBuilder // each worker's builder; its kept points hold its segments' interiors
}

// rocSegment is what a worker leaves of a segment of m points q0 … q(m−1):
// the first two and the last two, undecided (their neighbours lie in other
// segments), and the decisions on q1 … q(m−2), the points in kept (the
// last two are the first two when m is 2).
type rocSegment struct {
	m          int
	head, tail [2]rocPoint
	kept       [][]rocPoint
}

// parallelROC computes the ROC (collinear points dropped) of gen, sorted
// descending, and imp, at least parallelSortMin scores, which it sorts
// descending. ok is false, and imp sorted, when the impostor scores could
// not be split by value.
func parallelROC(gen, imp []float64, zero zeroSign) (r *ROC, ok bool, err error) {
	s := &rocSegments{gen: gen, imp: imp, zero: zero}
	if !sortParallel(imp, s) {
		return nil, false, nil
	}
	r, err = s.join()
	return r, true, err
}

func (s *rocSegments) plan(workers int, bm bucketMap, start []int) {
	nb := len(start) - 1
	s.workers = make([]rocBuilder, workers)
	for k := range s.workers {
		s.workers[k].chunk = keptChunk
	}
	s.segs = make([]rocSegment, nb)
	s.genStart = make([]int, nb+1)
	k := 0
	for b := range nb {
		s.genStart[b] = k
		for k < len(s.gen) && bm.bucket(s.gen[k]) <= b {
			k++
		}
	}
	s.genStart[nb] = k // len(s.gen): the last bucket takes the lowest scores
}

// sorted builds bucket b's segment. Its kept points go first to the
// sort's free memory (the bucket's share of the scatter buffer, already
// faulted in; a third of a point per score there, against about a tenth
// of a point per score kept by IJB-like curves), then to fresh pieces.
func (s *rocSegments) sorted(w, b, lo, hi int, free []float64) {
	bd := &s.workers[w]
	bd.n, bd.full = 0, nil
	bd.kept = unsafe.Slice((*rocPoint)(unsafe.Pointer(unsafe.SliceData(free))), len(free)/3)[:0]
	g0, g1 := s.genStart[b], s.genStart[b+1]
	bd.merge(s.gen[g0:g1], s.imp[lo:hi], int64(g0), int64(lo), s.zero)
	seg := &s.segs[b]
	seg.m, seg.head, seg.tail = bd.n, bd.head, [2]rocPoint{bd.p1, bd.p2}
	bd.full = append(bd.full, bd.kept) // the segment's from now on
	seg.kept = bd.full
	if bd.n > 0 {
		seg.kept[0] = seg.kept[0][1:] // q0
	}
}

// join decides the points at the segments' ends, in order, with a builder
// that takes each segment's interior as decided, and divides.
func (s *rocSegments) join() (*ROC, error) {
	g := newROCBuilder(false, 4*len(s.segs))
	var pieces [][]rocPoint
	flushed := 0
	for b := range s.segs {
		seg := &s.segs[b]
		switch seg.m {
		case 0:
			continue
		case 1:
			g.add(seg.head[0].t, seg.head[0].tp, seg.head[0].fp)
			continue
		}
		g.add(seg.head[0].t, seg.head[0].tp, seg.head[0].fp) // decides the point before
		g.add(seg.head[1].t, seg.head[1].tp, seg.head[1].fp) // decides q0
		pieces = append(append(pieces, g.kept[flushed:]), seg.kept...)
		flushed = len(g.kept)
		// As if q2 … q(m−1) had been added.
		g.p1, g.p2 = seg.tail[0], seg.tail[1]
		g.n += seg.m - 2
	}
	if g.n > 1 {
		g.kept = append(g.kept, g.p2)
	}
	pieces = append(pieces, g.kept[flushed:])
	return rocOfPoints(pieces, int64(len(s.gen)), int64(len(s.imp)))
}

// keptChunk is the smallest piece of kept points the parallel ROC's
// builders allocate (24 kB; a variable for tests).
var keptChunk = 1 << 10
