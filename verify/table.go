package verify

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/evalkit/evalkit/internal/pyfmt"
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

// PyFloat formats x as Python's str(float) does (the FAR column headers
// 1e-06, 1e-05, 0.0001, …; 1000000000000000.0, 1e+16, nan, inf).
func PyFloat(x float64) string { return pyfmt.Repr(x) }

// Threshold formats a threshold or distance for evalkit's text output as
// "%.6g" does, except that a negative zero prints as 0: a distance never
// reads "-0".
func Threshold(x float64) string {
	if x == 0 {
		x = 0 // drops the sign of -0
	}
	return fmt.Sprintf("%.6g", x)
}

// FormatTable renders a table as Python's PrettyTable prints it (the IJB
// TAR@FAR table of eval_ijbc.py): +---+ rules, one space of padding, every
// cell centred as str.center does, widths measured in terminal columns as
// PrettyTable measures them (wcwidth: East Asian wide and full-width
// characters take two columns, combining marks none).
func FormatTable(header []string, rows [][]string) string {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = DisplayWidth(h)
	}
	for _, r := range rows {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], DisplayWidth(c))
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

// pyCenter is PrettyTable's centring (that of CPython's str.center, in
// display columns): the left margin is marg/2 + (marg & width & 1).
func pyCenter(s string, width int) string {
	n := DisplayWidth(s)
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

// DisplayWidth returns the number of terminal columns s takes, as Python's
// wcwidth.wcswidth (which PrettyTable uses) counts them: 2 for East Asian
// wide and full-width characters, 0 for combining marks and zero-width
// characters, 1 for the rest, and -1 for the whole string when it holds a
// control character.
func DisplayWidth(s string) int {
	n := 0
	for _, r := range s {
		w := runeWidth(r)
		if w < 0 {
			return -1
		}
		n += w
	}
	return n
}

type widthRun struct {
	start rune
	width int8
}

// runeWidth is wcwidth.wcwidth of r.
func runeWidth(r rune) int {
	if r < 0x7F && r >= 0x20 {
		return 1
	}
	if r == utf8.RuneError || r < 0 || r > utf8.MaxRune {
		r = utf8.RuneError
	}
	i := sort.Search(len(widthRuns), func(i int) bool { return widthRuns[i].start > r }) - 1
	return int(widthRuns[i].width)
}
