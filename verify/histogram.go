package verify

import (
	"encoding/json"
	"fmt"
	"math"
	"sync"
)

// Histogram is a bounded-memory curve accumulator for unbounded score
// streams: genuine and impostor counts in Bins equal-width bins over
// [Lo, Hi] (scores outside are counted in the end bins). Memory is
// 16 bytes per bin whatever the number of scores; Add is O(1) per score;
// Merge adds counts, so sharded evaluation is exactly order- and
// shard-independent.
//
// Error bound: the histogram's ROC is the exact ROC sampled at the bin edges
// (each of its points is the exact (FPR, TPR) of accepting scores at or
// above a bin's lower edge, up to rounding of scores lying on an edge). Only
// the order of genuine and impostor scores inside one bin is lost, so:
//
//   - AUC: the trapezoid value counts every genuine–impostor pair sharing a
//     bin as a tie (half); the true AUC is within AUCErrorBound =
//     ½·Σ_b pos_b·neg_b / (P·N) of it.
//   - TAR@FAR: the true TAR at a FAR lies between the TPRs of the two bin
//     edges whose FPRs bracket it (TARBounds).
//
// Choose the range to cover the scores (cosine: [-1, 1]) and enough bins for
// the lowest FAR of interest: the bound is small when few impostor scores
// share a bin with the genuine ones near the operating point.
//
// A Histogram is safe for concurrent use.
type Histogram struct {
	mu       sync.Mutex
	lo, hi   float64
	scale    float64 // bins / (hi - lo)
	pos, neg []int64
	clamped  int64
}

// NewHistogram returns an empty histogram of bins bins over [lo, hi].
func NewHistogram(lo, hi float64, bins int) (*Histogram, error) {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
		return nil, fmt.Errorf("verify: histogram range must be finite with lo < hi, got [%v, %v]", lo, hi)
	}
	if bins < 1 || bins > 1<<26 {
		return nil, fmt.Errorf("verify: histogram needs between 1 and %d bins, got %d", 1<<26, bins)
	}
	return &Histogram{lo: lo, hi: hi, scale: float64(bins) / (hi - lo), pos: make([]int64, bins), neg: make([]int64, bins)}, nil
}

// Range returns the histogram's bounds and bin count.
func (h *Histogram) Range() (lo, hi float64, bins int) { return h.lo, h.hi, len(h.pos) }

func (h *Histogram) bin(s float64) (int, bool) {
	f := (s - h.lo) * h.scale
	n := len(h.pos)
	switch {
	case f < 0:
		return 0, s < h.lo
	case f >= float64(n):
		return n - 1, s > h.hi
	}
	return int(f), false
}

// Add counts scores with their labels (true = genuine). It fails, counting
// nothing, on a length mismatch or a NaN score.
func (h *Histogram) Add(scores []float64, genuine []bool) error {
	if len(scores) != len(genuine) {
		return fmt.Errorf("verify: %d scores but %d labels", len(scores), len(genuine))
	}
	for i, s := range scores {
		if math.IsNaN(s) {
			return fmt.Errorf("verify: score %d is NaN", i)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, s := range scores {
		b, out := h.bin(s)
		if out {
			h.clamped++
		}
		if genuine[i] {
			h.pos[b]++
		} else {
			h.neg[b]++
		}
	}
	return nil
}

// Merge adds other's counts; both must have the same range and bins.
func (h *Histogram) Merge(other *Histogram) error {
	if other == nil {
		return nil
	}
	if other == h {
		return fmt.Errorf("verify: cannot merge a histogram into itself")
	}
	other.mu.Lock()
	pos := append([]int64(nil), other.pos...)
	neg := append([]int64(nil), other.neg...)
	lo, hi, cl := other.lo, other.hi, other.clamped
	other.mu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	if lo != h.lo || hi != h.hi || len(pos) != len(h.pos) {
		return fmt.Errorf("verify: cannot merge histogram of %d bins over [%v, %v] into one of %d bins over [%v, %v]",
			len(pos), lo, hi, len(h.pos), h.lo, h.hi)
	}
	for b := range pos {
		h.pos[b] += pos[b]
		h.neg[b] += neg[b]
	}
	h.clamped += cl
	return nil
}

// Reset zeroes the counts.
func (h *Histogram) Reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.pos)
	clear(h.neg)
	h.clamped = 0
}

// Clamped returns how many scores fell outside [lo, hi] and were counted in
// an end bin.
func (h *Histogram) Clamped() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.clamped
}

// edge returns the lower edge of bin b.
func (h *Histogram) edge(b int) float64 {
	return h.lo + float64(b)*(h.hi-h.lo)/float64(len(h.pos))
}

// ROC returns the ROC at the bin edges (thresholds are lower bin edges,
// descending; the lowest non-empty bin's edge accepts everything), with
// collinear points dropped as scikit-learn does.
func (h *Histogram) ROC() (*ROC, error) { return h.roc(false) }

// roc builds the ROC over the bin edges; keepAll keeps collinear points.
func (h *Histogram) roc(keepAll bool) (*ROC, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := newROCBuilder(keepAll, 0)
	var tp, fp int64
	for i := len(h.pos) - 1; i >= 0; i-- {
		if h.pos[i] == 0 && h.neg[i] == 0 {
			continue
		}
		tp += h.pos[i]
		fp += h.neg[i]
		t := h.edge(i)
		if i == 0 {
			t = math.Inf(-1)
		}
		b.add(t, tp, fp)
	}
	return b.finish()
}

// AUCErrorBound returns ½·Σ_b pos_b·neg_b / (P·N): the true AUC of the
// scores counted lies within this distance of ROC().AUC().
func (h *Histogram) AUCErrorBound() float64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	var P, N int64
	var s float64
	for b := range h.pos {
		P += h.pos[b]
		N += h.neg[b]
		s += float64(h.pos[b]) * float64(h.neg[b])
	}
	if P == 0 || N == 0 {
		return math.NaN()
	}
	return s / 2 / (float64(P) * float64(N))
}

// TARBounds returns TPRs bracketing the true TAR at false-accept rate far:
// the TPRs of the last edge whose FPR is at most far and of the next edge.
func (h *Histogram) TARBounds(far float64) (lo, hi float64, err error) {
	r, err := h.roc(true) // every edge, collinear points kept
	if err != nil {
		return 0, 0, err
	}
	i := 0
	for i+1 < len(r.FPR) && r.FPR[i+1] <= far {
		i++
	}
	if i+1 < len(r.FPR) && r.FPR[i] < far {
		return r.TPR[i], r.TPR[i+1], nil
	}
	return r.TPR[i], r.TPR[i], nil
}

type histogramJSON struct {
	Kind     string  `json:"kind"`
	Lo       float64 `json:"lo"`
	Hi       float64 `json:"hi"`
	Genuine  []int64 `json:"genuine"`
	Impostor []int64 `json:"impostor"`
	Clamped  int64   `json:"clamped"`
}

// MarshalJSON encodes the range and counts:
// {"kind":"histogram","lo":…,"hi":…,"genuine":[…],"impostor":[…],"clamped":n}.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return json.Marshal(histogramJSON{Kind: "histogram", Lo: h.lo, Hi: h.hi, Genuine: h.pos, Impostor: h.neg, Clamped: h.clamped})
}

// UnmarshalJSON replaces the histogram with one written by MarshalJSON.
func (h *Histogram) UnmarshalJSON(b []byte) error {
	var s histogramJSON
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("verify: histogram state: %w", err)
	}
	if s.Kind != "histogram" {
		return fmt.Errorf("verify: histogram state has kind %q, want \"histogram\"", s.Kind)
	}
	if len(s.Genuine) != len(s.Impostor) {
		return fmt.Errorf("verify: histogram state has %d genuine and %d impostor bins", len(s.Genuine), len(s.Impostor))
	}
	n, err := NewHistogram(s.Lo, s.Hi, len(s.Genuine))
	if err != nil {
		return err
	}
	for b := range s.Genuine {
		if s.Genuine[b] < 0 || s.Impostor[b] < 0 {
			return fmt.Errorf("verify: histogram state has a negative count in bin %d", b)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lo, h.hi, h.scale = n.lo, n.hi, n.scale
	h.pos, h.neg, h.clamped = s.Genuine, s.Impostor, s.Clamped
	return nil
}
