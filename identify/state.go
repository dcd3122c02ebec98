package identify

import (
	"fmt"
	"math"
	"slices"
)

// Candidate is one gallery entry returned by a search: its global index
// (gallery rows first, then distractors) and its score.
type Candidate struct {
	Index int64
	Score float64
}

// Before is the ranking order of candidates, evalkit's tie rule: the
// higher score first, and of equal scores the lower gallery index first.
// Every result (top-k lists, mate ranks, maxima) follows it, so results do
// not depend on block sizes, thread counts or how the gallery is sharded.
func (c Candidate) Before(o Candidate) bool {
	return c.Score > o.Score || (c.Score == o.Score && c.Index < o.Index)
}

var noCandidate = Candidate{Index: -1, Score: math.Inf(-1)}

// Config fixes what a search State keeps. States merge only when their
// configurations and probes are equal.
type Config struct {
	// K is the number of candidates kept per probe (the longest rank of
	// the CMC, at least 1).
	K int
	// GallerySize is the number of enrolled gallery entries. Global
	// indices [0, GallerySize) are gallery rows, indices from GallerySize
	// on are distractors (entries without identity, never mates).
	GallerySize int64
	// Checkpoints are ascending distractor counts at which rank-1
	// identification is tracked (MegaFace's 10, 100, … 1,000,000). The
	// maximum score over the first Checkpoints[s] distractors is kept per
	// probe.
	Checkpoints []int64
	// NonMatedTop keeps the NonMatedTop largest non-mated scores over all
	// searches (every gallery row other than the probe's mates, and every
	// distractor): insightface ijb_1n's thresholds need them.
	NonMatedTop int
}

func (c Config) validate() error {
	if c.K < 1 {
		return fmt.Errorf("identify: K = %d candidates; want at least 1", c.K)
	}
	if c.GallerySize < 0 || c.NonMatedTop < 0 {
		return fmt.Errorf("identify: gallery size %d and non-mated top %d must not be negative", c.GallerySize, c.NonMatedTop)
	}
	for i, v := range c.Checkpoints {
		if v < 1 || (i > 0 && v <= c.Checkpoints[i-1]) {
			return fmt.Errorf("identify: distractor checkpoints %v must be positive and ascending", c.Checkpoints)
		}
	}
	return nil
}

func (c Config) equal(o Config) bool {
	return c.K == o.K && c.GallerySize == o.GallerySize && c.NonMatedTop == o.NonMatedTop && slices.Equal(c.Checkpoints, o.Checkpoints)
}

// State is the mergeable result of searching probes against a gallery,
// in one piece or in shards: per probe its K best candidates, its best
// mate and how many mates it has, its best non-mated gallery entry, its
// best distractor in each checkpoint segment; over all probes the largest
// non-mated scores (Config.NonMatedTop). Memory is O(probes·K).
//
// Search fills a State; states of the same probes over disjoint parts of
// the gallery Merge into exactly the state of one search over the whole.
type State struct {
	cfg      Config
	probeIDs []int64

	n         []int32     // candidates held per probe
	cand      []Candidate // probes × K, each row in Before order
	mate      []Candidate // best mate, noCandidate when none
	mateCount []int32
	nonMate   []Candidate // best non-mated gallery entry
	segMax    []float64   // probes × (len(Checkpoints)+1): distractor maxima per segment, the last beyond the final checkpoint

	top      topScores // NonMatedTop largest non-mated scores
	nonMated int64     // non-mated scores seen

	gallerySeen, distractorsSeen int64
	dim                          int // the features' dimension, 0 before any search
}

// NewState returns an empty state for probes with identities probeIDs.
func NewState(probeIDs []int64, cfg Config) (*State, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.Checkpoints = slices.Clone(cfg.Checkpoints)
	p := len(probeIDs)
	s := &State{
		cfg:       cfg,
		probeIDs:  slices.Clone(probeIDs),
		n:         make([]int32, p),
		cand:      make([]Candidate, p*cfg.K),
		mate:      make([]Candidate, p),
		mateCount: make([]int32, p),
		nonMate:   make([]Candidate, p),
		segMax:    make([]float64, p*(len(cfg.Checkpoints)+1)),
		top:       topScores{m: cfg.NonMatedTop},
	}
	for i := range p {
		s.mate[i], s.nonMate[i] = noCandidate, noCandidate
	}
	for i := range s.segMax {
		s.segMax[i] = math.Inf(-1)
	}
	return s, nil
}

// emptyLike is a new empty state with s's configuration and probes.
func (s *State) emptyLike() *State {
	e, _ := NewState(s.probeIDs, s.cfg) // s's config is valid
	return e
}

// Config returns the state's configuration.
func (s *State) Config() Config {
	c := s.cfg
	c.Checkpoints = slices.Clone(c.Checkpoints)
	return c
}

// NumProbes is the number of probes.
func (s *State) NumProbes() int { return len(s.probeIDs) }

// ProbeID returns probe i's identity.
func (s *State) ProbeID(i int) int64 { return s.probeIDs[i] }

// Dim returns the dimension of the features searched (0 before any search).
func (s *State) Dim() int { return s.dim }

// Complete reports, as an error, whether s has not searched exactly the
// whole gallery and distractors distractors, by count: a shard's state, or
// shards' states merged with some missing or repeated.
func (s *State) Complete(distractors int64) error {
	if s.gallerySeen != s.cfg.GallerySize || s.distractorsSeen != distractors {
		return fmt.Errorf("identify: the state searched %d of %d gallery rows and %d of %d distractors", s.gallerySeen, s.cfg.GallerySize, s.distractorsSeen, distractors)
	}
	return nil
}

// Searched returns the numbers of gallery rows and distractors searched.
func (s *State) Searched() (gallery, distractors int64) { return s.gallerySeen, s.distractorsSeen }

// Candidates returns probe i's best candidates in rank order (at most K;
// the slice aliases the state).
func (s *State) Candidates(i int) []Candidate {
	return s.cand[i*s.cfg.K : i*s.cfg.K+int(s.n[i])]
}

// Mate returns probe i's best-ranked mate (a gallery entry of the same
// identity), the number of mates in the gallery, and false when there is
// none.
func (s *State) Mate(i int) (Candidate, int, bool) {
	return s.mate[i], int(s.mateCount[i]), s.mateCount[i] > 0
}

// MateRank is the 1-based rank of probe i's best mate among all gallery
// entries and distractors, or 0 when it has no mate or the mate ranks
// below the K candidates kept.
func (s *State) MateRank(i int) int {
	if s.mateCount[i] == 0 {
		return 0
	}
	m := s.mate[i]
	for r, c := range s.Candidates(i) {
		if c.Index == m.Index {
			return r + 1
		}
	}
	return 0
}

// NonMateMax is probe i's highest-ranked non-mated entry over the gallery
// and all distractors (Index -1 and Score -Inf when there is none).
func (s *State) NonMateMax(i int) Candidate {
	best := s.nonMate[i]
	if d := s.DistractorMax(i, len(s.cfg.Checkpoints)); d > best.Score {
		// distractors rank after every gallery entry of equal score
		best = Candidate{Index: -1, Score: d}
	}
	return best
}

// DistractorMax is probe i's highest distractor score among the first
// Checkpoints[seg] distractors, or among all of them for seg =
// len(Checkpoints); -Inf when there is none.
func (s *State) DistractorMax(i, seg int) float64 {
	ns := len(s.cfg.Checkpoints) + 1
	m := math.Inf(-1)
	for _, v := range s.segMax[i*ns : i*ns+seg+1] {
		m = max(m, v)
	}
	return m
}

// NonMatedTop returns the largest non-mated scores kept
// (Config.NonMatedTop of them at most), in descending order, and the
// number of non-mated scores seen.
func (s *State) NonMatedTop() ([]float64, int64) {
	out := slices.Clone(s.top.h)
	sortDesc(out)
	return out, s.nonMated
}

// insert adds c to probe p's candidates when it ranks among the K best
// and reports whether it did.
func (s *State) insert(p int, c Candidate) bool {
	k := s.cfg.K
	row := s.cand[p*k : p*k+k]
	n := int(s.n[p])
	if n == k {
		if !c.Before(row[k-1]) {
			return false
		}
		n--
	} else {
		s.n[p]++
	}
	pos := n
	for pos > 0 && c.Before(row[pos-1]) {
		row[pos] = row[pos-1]
		pos--
	}
	row[pos] = c
	return true
}

// Merge adds other's searches (the same probes and configuration, over a
// disjoint part of the gallery) to s. The result is exactly the state of
// one search over both parts.
func (s *State) Merge(other *State) error {
	if !s.cfg.equal(other.cfg) {
		return fmt.Errorf("identify: cannot merge states of configurations %+v and %+v", s.cfg, other.cfg)
	}
	if !slices.Equal(s.probeIDs, other.probeIDs) {
		return fmt.Errorf("identify: cannot merge states of different probes (%d and %d probes)", len(s.probeIDs), len(other.probeIDs))
	}
	if s.dim != 0 && other.dim != 0 && s.dim != other.dim {
		return fmt.Errorf("identify: cannot merge states of %d-d and %d-d features", s.dim, other.dim)
	}
	if s.cfg.GallerySize > 0 && s.gallerySeen+other.gallerySeen > s.cfg.GallerySize {
		return fmt.Errorf("identify: merged states searched %d + %d gallery rows, more than the gallery's %d: the shards overlap", s.gallerySeen, other.gallerySeen, s.cfg.GallerySize)
	}
	ns := len(s.cfg.Checkpoints) + 1
	for p := range s.probeIDs {
		for _, c := range other.Candidates(p) {
			if !s.insert(p, c) {
				break // other's list is ranked: the rest cannot enter either
			}
		}
		if other.mate[p].Before(s.mate[p]) {
			s.mate[p] = other.mate[p]
		}
		s.mateCount[p] += other.mateCount[p]
		if other.nonMate[p].Before(s.nonMate[p]) {
			s.nonMate[p] = other.nonMate[p]
		}
		for j := p * ns; j < (p+1)*ns; j++ {
			s.segMax[j] = max(s.segMax[j], other.segMax[j])
		}
	}
	for _, v := range other.top.h {
		s.top.push(v)
	}
	s.nonMated += other.nonMated
	s.gallerySeen += other.gallerySeen
	s.distractorsSeen += other.distractorsSeen
	s.dim = max(s.dim, other.dim)
	return nil
}

// topScores keeps the m largest values pushed, as a min-heap.
type topScores struct {
	m int
	h []float64
}

// floor is the smallest value kept once full, -Inf before.
func (t *topScores) floor() float64 {
	if len(t.h) < t.m {
		return math.Inf(-1)
	}
	return t.h[0]
}

func (t *topScores) push(v float64) {
	if t.m == 0 {
		return
	}
	if len(t.h) < t.m {
		t.h = append(t.h, v)
		for i := len(t.h) - 1; i > 0; {
			up := (i - 1) / 2
			if t.h[up] <= t.h[i] {
				break
			}
			t.h[up], t.h[i] = t.h[i], t.h[up]
			i = up
		}
		return
	}
	if v <= t.h[0] {
		return
	}
	t.h[0] = v
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(t.h) {
			break
		}
		if r := l + 1; r < len(t.h) && t.h[r] < t.h[l] {
			l = r
		}
		if t.h[i] <= t.h[l] {
			break
		}
		t.h[i], t.h[l] = t.h[l], t.h[i]
		i = l
	}
}
