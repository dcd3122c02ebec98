package verify

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestFormatTableWide checks FormatTable against tables PrettyTable printed
// (testdata/verify/wcwidth_golden.json, gen_wcwidth.py) for method names
// with wide, full-width, combining and emoji characters.
func TestFormatTableWide(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "verify", "wcwidth_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Tables []struct {
			Method string
			Width  int
			Header []string
			Rows   [][]string
			Table  string
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	header := []string{"Methods", "1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1"}
	row := []string{"10.52", "89.13", "94.01", "96.38", "97.92", "98.95"}
	for _, c := range g.Tables {
		t.Run(c.Method, func(t *testing.T) {
			h, rows := header, [][]string{append([]string{c.Method}, row...)}
			if c.Header != nil {
				h, rows = c.Header, c.Rows
			}
			if got := DisplayWidth(c.Method); got != c.Width {
				t.Errorf("DisplayWidth(%q) = %d, wcswidth %d", c.Method, got, c.Width)
			}
			if got := FormatTable(h, rows); got != c.Table {
				t.Errorf("FormatTable:\n%s\nPrettyTable:\n%s", got, c.Table)
			}
		})
	}
}

func TestDisplayWidth(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0}, {"abc", 3}, {"模型", 4}, {"e\u0301", 1}, {"\u200b", 0}, {"a\tb", -1}, {"\x7f", -1}, {"\u00ad", 1},
	} {
		t.Run(tc.s, func(t *testing.T) {
			if got := DisplayWidth(tc.s); got != tc.want {
				t.Errorf("DisplayWidth(%q) = %d, want %d", tc.s, got, tc.want)
			}
		})
	}
}

// TestFloatFormats checks PyFloat (Python's str(float), on the FAR headers
// and beyond the range where Go's %g and Python's repr agree) and
// Threshold (%.6g, never "-0").
func TestFloatFormats(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(float64) string
		x    float64
		want string
	}{
		{"PyFloat", PyFloat, 1e-6, "1e-06"}, {"PyFloat", PyFloat, 1e-4, "0.0001"}, {"PyFloat", PyFloat, 0.1, "0.1"},
		{"PyFloat", PyFloat, 1, "1.0"}, {"PyFloat", PyFloat, 1e15, "1000000000000000.0"}, {"PyFloat", PyFloat, 1e16, "1e+16"},
		{"PyFloat", PyFloat, 123456789012.5, "123456789012.5"}, {"PyFloat", PyFloat, math.NaN(), "nan"},
		{"PyFloat", PyFloat, math.Inf(-1), "-inf"},
		{"Threshold", Threshold, math.Copysign(0, -1), "0"}, {"Threshold", Threshold, 0, "0"},
		{"Threshold", Threshold, -0.25, "-0.25"}, {"Threshold", Threshold, 1.23456789, "1.23457"},
		{"Threshold", Threshold, math.Inf(1), "+Inf"}, {"Threshold", Threshold, 1e-7, "1e-07"},
	} {
		t.Run(tc.name+" "+tc.want, func(t *testing.T) {
			if got := tc.f(tc.x); got != tc.want {
				t.Errorf("%s(%v) = %q, want %q", tc.name, tc.x, got, tc.want)
			}
		})
	}
}
