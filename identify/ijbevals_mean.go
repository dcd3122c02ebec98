package identify

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/evalkit/evalkit/internal/pyfmt"
)

// IJBEvalsMean is ijb_evals.py run_model_test_1N's summary over its two
// galleries (G1 and G2, or IJB-B's S1 and S2): top-k counts summed over
// both and divided by the number of probes, TPIRs averaged.
type IJBEvalsMean struct {
	Top1, Top5, Top10 float64
	FARs              []float64
	MeanTPIRs         []float64
	G1, G2            *IJBEvalsResult
	Shown             []int
}

// NewIJBEvalsMean combines the two galleries' results (computed at the same
// FARs); shown are the indices of the FARs the table prints.
func NewIJBEvalsMean(g1, g2 *IJBEvalsResult, shown []int) (*IJBEvalsMean, error) {
	if !slices.Equal(g1.FARs, g2.FARs) || g1.Queries != g2.Queries {
		return nil, fmt.Errorf("identify: the two galleries' results have different FARs or probes")
	}
	q := float64(g1.Queries)
	m := &IJBEvalsMean{
		Top1: float64(g1.Top1+g2.Top1) / q, Top5: float64(g1.Top5+g2.Top5) / q, Top10: float64(g1.Top10+g2.Top10) / q,
		FARs: g1.FARs, G1: g1, G2: g2, Shown: shown,
	}
	for i := range g1.TPIRs {
		m.MeanTPIRs = append(m.MeanTPIRs, (g1.TPIRs[i]+g2.TPIRs[i])/2)
	}
	return m, nil
}

// WriteLines prints run_model_test_1N's lines from ">>>> Mean" on: the
// mean top-k line and the pandas to_markdown table of the shown FARs.
func (m *IJBEvalsMean) WriteLines(w io.Writer) error {
	if _, err := fmt.Fprintf(w, ">>>> Mean\n[Mean] top1: %s, top5: %s, top10: %s\n", pyfmt.F(m.Top1), pyfmt.F(m.Top5), pyfmt.F(m.Top10)); err != nil {
		return err
	}
	cols := make([][]float64, 6)
	for _, i := range m.Shown {
		for c, v := range []float64{m.FARs[i], m.G1.TPIRs[i], m.G1.Thresholds[i], m.G2.TPIRs[i], m.G2.Thresholds[i], m.MeanTPIRs[i]} {
			cols[c] = append(cols[c], v)
		}
	}
	_, err := io.WriteString(w, PipeTable([]string{"far", "g1_tpir", "g1_thresh", "g2_tpir", "g2_thresh", "mean_tpir"}, cols))
	return err
}

// PipeTable formats float columns as pandas' DataFrame.to_markdown()
// (tabulate's "pipe" format) does: each value as format(v, "g"), decimal
// points aligned, columns at least two wider than their header, headers
// right-aligned, "---:" rules. The first column is the index.
func PipeTable(headers []string, cols [][]float64) string {
	cells := make([][]string, len(cols))
	widths := make([]int, len(cols))
	for c, col := range cols {
		strs := make([]string, len(col))
		maxDec := -1
		for i, v := range col {
			strs[i] = pyG(v)
			maxDec = max(maxDec, afterPoint(strs[i]))
		}
		widths[c] = len(headers[c]) + 2
		for i, s := range strs {
			strs[i] = s + strings.Repeat(" ", maxDec-afterPoint(s))
			widths[c] = max(widths[c], len(strs[i]))
		}
		cells[c] = strs
	}
	var b strings.Builder
	row := func(get func(c int) string) {
		b.WriteByte('|')
		for c := range cols {
			s := get(c)
			b.WriteString(" " + strings.Repeat(" ", widths[c]-len(s)) + s + " |")
		}
		b.WriteByte('\n')
	}
	row(func(c int) string { return headers[c] })
	b.WriteByte('|')
	for c := range cols {
		b.WriteString(strings.Repeat("-", widths[c]+1) + ":|")
	}
	b.WriteByte('\n')
	for i := range cols[0] {
		row(func(c int) string { return cells[c][i] })
	}
	return strings.TrimSuffix(b.String(), "\n") + "\n"
}

// pyG formats v as Python's format(v, "g").
func pyG(v float64) string {
	s := strconv.FormatFloat(v, 'g', 6, 64)
	switch s {
	case "NaN":
		return "nan"
	case "+Inf":
		return "inf"
	case "-Inf":
		return "-inf"
	}
	return s
}

// afterPoint is tabulate's _afterpoint: digits after the decimal point (or
// after the exponent's 'e'), -1 for integers.
func afterPoint(s string) int {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return -1
	}
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return -1
	}
	pos := strings.LastIndex(s, ".")
	if pos < 0 {
		pos = strings.LastIndex(strings.ToLower(s), "e")
	}
	if pos < 0 {
		return -1
	}
	return len(s) - pos - 1
}
