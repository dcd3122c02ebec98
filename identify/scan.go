package identify

import "math"

// scanRow folds probe p's scores against shard rows [j0, j0+len(row))
// (global indices from base) into the state: candidates, mates, the best
// non-mate or the distractor maxima, the non-mated top scores. It
// overwrites the mates' scores in row.
//
// One vector pass (rowMax) finds the row's maximum; everything else reads
// the row only where that maximum says it holds something: a candidate
// (at least the K-th candidate's score), a better non-mate, a score above
// the non-mated top list's floor. Once a probe's candidates are full, most
// rows hold none of these.
func scanRow[T float32 | float64](sc *scanner, p int, row []T, base int64, j0 int) {
	s := sc.s
	n := len(row)
	j1 := j0 + n
	negInf := T(math.Inf(-1))
	hi := rowMax(row)
	scanTopK(s, p, row, base, hi, &sc.idx)
	// mates: record, then mask them out of the non-mated passes
	masked := 0
	if sc.mates != nil {
		for _, j := range sc.mates[p] {
			if int(j) < j0 || int(j) >= j1 {
				continue
			}
			v := row[int(j)-j0]
			c := Candidate{Index: sc.shard.Offset + int64(j), Score: float64(v)}
			if c.Before(s.mate[p]) {
				s.mate[p] = c
			}
			s.mateCount[p]++
			row[int(j)-j0] = negInf
			masked++
			if v >= hi {
				hi = negInf // the maximum may have gone: find it again below
			}
		}
	}
	if masked > 0 && hi == negInf {
		hi = rowMax(row)
	}
	sc.nonMated += int64(n - masked)
	if sc.shard.Offset >= s.cfg.GallerySize {
		scanDistractors(s, p, row, base-s.cfg.GallerySize, hi)
	} else if hi != negInf && float64(hi) >= s.nonMate[p].Score {
		// the first index of the maximum: the lowest index of equal scores
		bi := firstGE(row, hi)
		if c := (Candidate{Index: base + int64(bi), Score: float64(row[bi])}); c.Before(s.nonMate[p]) {
			s.nonMate[p] = c
		}
	}
	if sc.top.m > 0 {
		fl := sc.top.floor()
		if float64(hi) <= fl {
			return
		}
		// T(fl) ≤ every v with float64(v) > fl (rounding is monotone), so
		// firstGE skips only values that cannot enter
		for j := firstGE(row, T(fl)); j < n; j += 1 + firstGE(row[j+1:], T(fl)) {
			if v := row[j]; float64(v) > fl && v != negInf {
				sc.top.push(float64(v))
				fl = sc.top.floor()
			}
		}
	}
}

// scanTopK offers a row of scores (global indices from base, ascending)
// whose maximum is hi to probe p's candidates. Only scores at least the
// K-th candidate's are offered: firstGE skips the rest a vector at a time.
// scratch holds the indices collectGE finds.
func scanTopK[T float32 | float64](s *State, p int, row []T, base int64, hi T, scratch *[]int32) {
	k := s.cfg.K
	thr := T(math.Inf(-1))
	switch {
	case int(s.n[p]) == k:
		thr = T(s.cand[p*k+k-1].Score)
		if hi < thr {
			return
		}
	case len(row) >= 4*k:
		// a probe's first row: many insertions, each raising thr; the
		// candidates (≥ the seed) are collected in one pass and offered in
		// index order, as the loop below would
		thr = pieceFloor(row, k)
		*scratch = collectGE(row, thr, *scratch)
		for _, j := range *scratch {
			if v := row[j]; v >= thr && s.insert(p, Candidate{Index: base + int64(j), Score: float64(v)}) && int(s.n[p]) == k {
				thr = T(s.cand[p*k+k-1].Score)
			}
		}
		return
	}
	for j := firstGE(row, thr); j < len(row); j += 1 + firstGE(row[j+1:], thr) {
		if s.insert(p, Candidate{Index: base + int64(j), Score: float64(row[j])}) && int(s.n[p]) == k {
			thr = T(s.cand[p*k+k-1].Score)
		}
	}
}

// pieceFloor is the smallest of the maxima of k pieces of row: each piece
// holds a score at least as high, so at least k scores of the row are ≥ it
// and no lower score can be among the k best of the row and any other
// candidates. A row offered to a probe whose candidates are not yet full
// (a probe's first block) then inserts about k·ln k scores instead of
// k·(1 + ln(len(row)/k)), the scan in index order raising its threshold one
// insertion at a time.
func pieceFloor[T float32 | float64](row []T, k int) T {
	f := T(math.Inf(1))
	for i := range k {
		f = min(f, rowMax(row[i*len(row)/k:(i+1)*len(row)/k]))
	}
	return f
}

// scanDistractors folds a row of distractor scores (distractor numbers
// from d0) whose maximum is hi into probe p's segment maxima.
func scanDistractors[T float32 | float64](s *State, p int, row []T, d0 int64, hi T) {
	cps := s.cfg.Checkpoints
	ns := len(cps) + 1
	seg := s.segMax[p*ns : (p+1)*ns]
	for lo := 0; lo < len(row); {
		d := d0 + int64(lo)
		si := 0
		for si < len(cps) && d >= cps[si] {
			si++
		}
		end := len(row)
		if si < len(cps) {
			end = int(min(int64(len(row)), cps[si]-d0))
		}
		m := hi
		if lo > 0 || end < len(row) {
			m = rowMax(row[lo:end])
		}
		if m == 0 {
			m = zeroMax(row[lo:end])
		}
		seg[si] = max(seg[si], float64(m))
		lo = end
	}
}

// zeroMax is the maximum of a row whose maximum is zero: +0 when the row
// holds a +0, else -0, as Go's max gives (rowMax leaves the sign open).
func zeroMax[T float32 | float64](row []T) T {
	for _, v := range row {
		if v == 0 && !math.Signbit(float64(v)) {
			return 0
		}
	}
	return T(math.Copysign(0, -1))
}
