package identify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/evalkit/evalkit/internal/blas"
)

// NISTReport is evalkit identify's result under NIST's rules: the closed-set
// CMC over the mated searches, open-set TPIR/FNIR at each FPIR when some
// probes are not enrolled, and MegaFace's rank-1 by distractor count when
// distractors were searched. It is JSON as docs/formats.md describes.
type NISTReport struct {
	Probes      int               `json:"probes"`
	Gallery     int               `json:"gallery"`
	Distractors int               `json:"distractors"`
	Backend     string            `json:"backend"`
	Seconds     float64           `json:"seconds"`
	Merged      int               `json:"merged_states,omitempty"`
	Mated       int               `json:"mated"`
	CMC         []RankRate        `json:"cmc"`
	OpenSet     *OpenSet          `json:"open_set,omitempty"`
	Rank1       []DistractorPoint `json:"rank1_by_distractors,omitempty"`

	run *Run
}

// NIST reads the NIST report off the run: the CMC at ranks (ascending, at
// most Config.K), the open-set points at fpirs when fewer probes are mated
// than searched, and rank-1 by distractors when there were distractors.
func (r *Run) NIST(ranks []int, fpirs []float64) (*NISTReport, error) {
	st := r.State
	res := &NISTReport{Probes: r.Probes, Gallery: r.Gallery, Distractors: r.Distractors,
		Seconds: r.Duration.Seconds(), Merged: r.Merged, run: r}
	if r.Backend != nil {
		res.Backend = blas.Describe(r.Backend)
	}
	var err error
	if res.CMC, res.Mated, err = st.CMC(ranks); err != nil {
		return nil, err
	}
	if res.Mated < r.Probes {
		if res.OpenSet, err = st.OpenSet(fpirs, 1); err != nil {
			return nil, err
		}
	}
	if r.Distractors > 0 {
		if res.Rank1, err = st.Rank1ByDistractors(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// WriteText prints the report as evalkit identify does: the run's line, the
// CMC table, the open-set table and the rank-1 by distractors table.
func (res *NISTReport) WriteText(w io.Writer) error {
	var b strings.Builder
	if res.run != nil {
		fmt.Fprintln(&b, res.run.Describe())
	}
	fmt.Fprintf(&b, "\nclosed-set CMC over %d mated searches (of %d probes)\n  rank  identification rate\n", res.Mated, res.Probes)
	for _, c := range res.CMC {
		fmt.Fprintf(&b, "%6d  %.6f  (%d)\n", c.Rank, c.Rate, c.Hits)
	}
	if o := res.OpenSet; o != nil {
		fmt.Fprintf(&b, "\nopen-set, NIST: %d mated and %d non-mated searches, a hit ranks 1 and scores above the threshold\n", o.Mated, o.NonMated)
		fmt.Fprintf(&b, "  %-10s %-12s %-10s %-10s %s\n", "FPIR", "threshold", "FPIR seen", "TPIR", "FNIR")
		for _, p := range o.Points {
			fmt.Fprintf(&b, "  %-10s %-12.6f %-10.6f %-10.6f %.6f\n", strings.TrimSpace(fmt.Sprint(p.TargetFPIR)), p.Threshold, p.FPIR, p.TPIR, p.FNIR)
		}
	}
	if len(res.Rank1) > 0 {
		fmt.Fprintf(&b, "\nrank-1 as distractors join the gallery (MegaFace)\n  distractors  rank-1\n")
		for _, p := range res.Rank1 {
			fmt.Fprintf(&b, "  %11d  %.6f\n", p.Distractors, p.Rank1)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// candidateLine is one line of WriteCandidates.
type candidateLine struct {
	Probe      int          `json:"probe"`
	ID         int64        `json:"id"`
	MateRank   int          `json:"mate_rank"`
	Mate       *[2]float64  `json:"mate"`
	Candidates [][2]float64 `json:"candidates"`
}

// WriteCandidates writes one JSON line per probe: its index, identity, mate
// rank (0: no mate, or the mate ranks below K), best mate and candidates as
// [gallery index, score] (docs/formats.md, "Candidates").
func (s *State) WriteCandidates(w io.Writer) error {
	enc := json.NewEncoder(w)
	for p := range s.NumProbes() {
		l := candidateLine{Probe: p, ID: s.ProbeID(p), MateRank: s.MateRank(p), Candidates: [][2]float64{}}
		if m, _, ok := s.Mate(p); ok {
			l.Mate = &[2]float64{float64(m.Index), m.Score}
		}
		for _, c := range s.Candidates(p) {
			l.Candidates = append(l.Candidates, [2]float64{float64(c.Index), c.Score})
		}
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return nil
}
