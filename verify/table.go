package verify

import (
	"fmt"
	"strconv"
	"strings"
)

// TARRow formats TAR@FAR readings as insightface's IJB table cells: the TAR
// in percent with two decimals ('%.2f' % (tpr * 100)).
func TARRow(points []OperatingPoint) []string {
	cells := make([]string, len(points))
	for i, p := range points {
		cells[i] = fmt.Sprintf("%.2f", p.TAR*100)
	}
	return cells
}

// PyFloat formats x as Python's str(float) does for the magnitudes used as
// FAR column headers: 1e-06, 1e-05, 0.0001, 0.001, 0.01, 0.1, 1.0.
func PyFloat(x float64) string {
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eIN") {
		s += ".0"
	}
	return s
}

// FormatTable renders a table as Python's PrettyTable prints it (the IJB
// TAR@FAR table of eval_ijbc.py): +---+ rules, one space of padding, every
// cell centred with CPython's str.center.
func FormatTable(header []string, rows [][]string) string {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = len([]rune(h))
	}
	for _, r := range rows {
		for i, c := range r {
			if i < len(widths) && len([]rune(c)) > widths[i] {
				widths[i] = len([]rune(c))
			}
		}
	}
	var b strings.Builder
	rule := func() {
		b.WriteByte('+')
		for _, w := range widths {
			b.WriteString(strings.Repeat("-", w+2))
			b.WriteByte('+')
		}
		b.WriteByte('\n')
	}
	line := func(cells []string) {
		b.WriteByte('|')
		for i, w := range widths {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			b.WriteByte(' ')
			b.WriteString(pyCenter(c, w))
			b.WriteString(" |")
		}
		b.WriteByte('\n')
	}
	rule()
	line(header)
	rule()
	for _, r := range rows {
		line(r)
	}
	rule()
	return b.String()
}

// pyCenter is CPython's str.center(width): the left margin is
// marg/2 + (marg & width & 1).
func pyCenter(s string, width int) string {
	n := len([]rune(s))
	marg := width - n
	if marg <= 0 {
		return s
	}
	left := marg/2 + (marg & width & 1)
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", marg-left)
}

// TARTable renders insightface's IJB TAR@FAR table for one ROC: header
// Methods and the FARs as Python prints them, one row named method with the
// TAR at the nearest-FPR point of each FAR in percent.
func TARTable(method string, r *ROC, fars []float64) string {
	header := []string{"Methods"}
	points := make([]OperatingPoint, len(fars))
	for i, f := range fars {
		header = append(header, PyFloat(f))
		points[i] = r.TARAtFAR(f)
	}
	return FormatTable(header, [][]string{append([]string{method}, TARRow(points)...)})
}
