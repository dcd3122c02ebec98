package verify

import (
	"fmt"
	"slices"
	"sync"
)

// templateIndex maps template ids to their positions: a dense table when
// the ids span a range of reasonable size (IJB's do), a map otherwise.
type templateIndex struct {
	min   int64
	table []int32 // id-min → position+1, 0 for no template
	m     map[int64]int32
}

func (x *templateIndex) find(id int64) (int, bool) {
	if x.table != nil {
		u := uint64(id - x.min)
		if id < x.min || u >= uint64(len(x.table)) || x.table[u] == 0 {
			return 0, false
		}
		return int(x.table[u] - 1), true
	}
	k, ok := x.m[id]
	return int(k), ok
}

// uniqueIDs returns np.unique(ids) and its index.
func uniqueIDs(ids []int64) ([]int64, templateIndex) {
	if len(ids) == 0 {
		return nil, templateIndex{m: map[int64]int32{}}
	}
	lo, hi := slices.Min(ids), slices.Max(ids)
	span := uint64(hi - lo)
	if span < uint64(8*len(ids)+1<<20) {
		x := templateIndex{min: lo, table: make([]int32, span+1)}
		for _, id := range ids {
			x.table[id-lo] = 1
		}
		var u []int64
		for i, v := range x.table {
			if v != 0 {
				u = append(u, lo+int64(i))
				x.table[i] = int32(len(u))
			}
		}
		return u, x
	}
	u := slices.Clone(ids)
	slices.Sort(u)
	u = slices.Compact(u)
	x := templateIndex{m: make(map[int64]int32, len(u))}
	for i, id := range u {
		x.m[id] = int32(i)
	}
	return u, x
}

// scoreChunk is the number of pairs scored as one block by Scores.
const scoreChunk = 1 << 16

// pairScratch is one goroutine's reusable memory for scoring blocks.
type pairScratch struct {
	refs   []pairRef // the block's pairs in file order
	sorted []pairRef // the same in order of their second template
	pos    []int32   // pair i's place in sorted
	scores []float64 // the scores of sorted, in its order
	count  []int32
}

// pairRef is a pair as template positions (a = -1 for an empty slot).
type pairRef struct{ a, b int32 }

// scoreBlock writes the score of pair (p1[i], p2[i]) to dst[i]; pairs with
// skip[i] < 0 (blank lines of a pair file) score 0. Unknown template ids
// are reported through unknown(i, id), for the first such pair. The pairs
// are scored in order of their second template (a stable counting sort), so
// that rows of the template matrix, too large for the caches, are read in
// address order and reused while cached; the first templates of a block
// are few (pair files list each one's pairs together) and stay cached. The
// scores, made in that order, are gathered back into file order at the end,
// so dst is written in address order (scattered stores into it, fresh
// memory, stalled the kernel's stores).
func (t *Templates) scoreBlock(dst []float64, p1, p2 []int64, skip []int8, s *pairScratch, unknown func(i int, id int64) error) error {
	n := len(p1)
	nt := len(t.IDs)
	if cap(s.refs) < n {
		s.refs, s.sorted, s.pos, s.scores = make([]pairRef, n), make([]pairRef, n), make([]int32, n), make([]float64, n)
	}
	refs, sorted, pos, scores := s.refs[:n], s.sorted[:n], s.pos[:n], s.scores[:n]
	if len(s.count) != nt+1 {
		s.count = make([]int32, nt+1)
	} else {
		clear(s.count)
	}
	count := s.count
	// look every id up once, counting the second templates
	for i := range n {
		if skip != nil && skip[i] < 0 {
			refs[i] = pairRef{-1, 0}
			count[1]++
			continue
		}
		a, ok := t.index.find(p1[i])
		if !ok {
			return unknown(i, p1[i])
		}
		b, ok := t.index.find(p2[i])
		if !ok {
			return unknown(i, p2[i])
		}
		refs[i] = pairRef{int32(a), int32(b)}
		count[b+1]++
	}
	for k := range nt {
		count[k+1] += count[k]
	}
	for i, r := range refs {
		p := count[r.b]
		count[r.b]++
		pos[i], sorted[p] = p, r
	}
	t.scoreSorted(scores, sorted)
	for i, p := range pos {
		dst[i] = scores[p]
	}
	return nil
}

// scoreSorted writes the score of every pair of refs (sorted by second
// template) to out, eight (dot8, AVX-512) or four (dot4) pairs that share
// their second template at a time, the rest one by one.
func (t *Templates) scoreSorted(out []float64, refs []pairRef) {
	d := t.Dim
	f := t.Features
	out = out[:len(refs)]
	row := func(k int32) []float64 { return f[int(k)*d : int(k+1)*d] }
	var rows8 [8]*float64
	wide := haveAVX512 && t.plan.fast
	for j := 0; j < len(refs); {
		r := refs[j]
		if r.a < 0 {
			out[j] = 0
			j++
			continue
		}
		if wide && j+8 <= len(refs) && refs[j+7].b == r.b && allPairs(refs[j+1:j+8]) {
			q := refs[j : j+8 : j+8]
			for k := range q {
				rows8[k] = &f[int(q[k].a)*d] // d values from here: a < len(t.IDs)
			}
			t.plan.dot8(&f[int(r.b)*d], &rows8, (*[8]float64)(out[j:j+8]))
			j += 8
			continue
		}
		if j+4 <= len(refs) && refs[j+3].b == r.b && refs[j+1].a >= 0 && refs[j+2].a >= 0 && refs[j+3].a >= 0 {
			t.plan.dot4(row(r.b), row(r.a), row(refs[j+1].a), row(refs[j+2].a), row(refs[j+3].a), (*[4]float64)(out[j:j+4]))
			j += 4
			continue
		}
		out[j] = t.plan.dot(row(r.a), row(r.b))
		j++
	}
}

// allPairs reports whether none of refs is an empty slot.
func allPairs(refs []pairRef) bool {
	for _, r := range refs {
		if r.a < 0 {
			return false
		}
	}
	return true
}

// PairSource is a list of template pairs read in blocks from several
// goroutines, as dataset.IJBPairReader reads IJB's pair file.
type PairSource interface {
	// Slots bounds the list: every pair's slot is below it.
	Slots() int
	// Workers is the number of goroutines Each calls fn from.
	Workers() int
	// Each calls fn for every block of consecutive slots: pair i of the
	// block is slot first+i, with labels[i] 1 (genuine), 0 (impostor) or
	// -1 (an empty slot, no pair). Calls with different worker numbers run
	// concurrently.
	Each(fn func(worker, first int, t1, t2 []int64, labels []int8) error) error
}

// ScorePairSource scores every template pair of src as Scores does, block
// by block as src yields them, so the pairs are never held in memory. It
// returns the scores and the labels (true = genuine) in slot order, empty
// slots removed.
func (t *Templates) ScorePairSource(src PairSource) (scores []float64, labels []bool, err error) {
	n := src.Slots()
	scores, labels = make([]float64, n), make([]bool, n)
	scratch := make([]pairScratch, src.Workers())
	var mu sync.Mutex
	var emptySlots []int
	err = src.Each(func(w, first int, t1, t2 []int64, lab []int8) error {
		if len(t2) != len(t1) || len(lab) != len(t1) || first < 0 || first+len(t1) > n {
			return fmt.Errorf("verify: pair block of %d, %d, %d values at slot %d of %d", len(t1), len(t2), len(lab), first, n)
		}
		var e []int
		for i, l := range lab {
			labels[first+i] = l == 1
			if l < 0 {
				e = append(e, first+i)
			}
		}
		if len(e) > 0 {
			mu.Lock()
			emptySlots = append(emptySlots, e...)
			mu.Unlock()
		}
		return t.scoreBlock(scores[first:first+len(t1)], t1, t2, lab, &scratch[w], func(i int, id int64) error {
			return fmt.Errorf("verify: the template pair in slot %d (line %d of a pair file) names template %d, which has no images", first+i, first+i+1, id)
		})
	})
	if err != nil {
		return nil, nil, err
	}
	if len(emptySlots) > 0 {
		slices.Sort(emptySlots)
		j, e := 0, emptySlots
		for i := range scores {
			if len(e) > 0 && e[0] == i {
				e = e[1:]
				continue
			}
			scores[j], labels[j] = scores[i], labels[i]
			j++
		}
		scores, labels = scores[:j], labels[:j]
	}
	return scores, labels, nil
}
