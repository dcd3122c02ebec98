package report

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteROCPNG(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "roc.png")
	curves := []ROCCurve{
		{Name: "lfw (AUC 0.99)", FPR: []float64{0, 0, 1. / 7, 2. / 7, 4. / 7, 1}, TPR: []float64{0, 1. / 3, 2. / 3, 2. / 3, 1, 1}},
		{Name: "other", FPR: []float64{0, 0.001, 1}, TPR: []float64{0, 0.9, 1}},
	}
	for _, opts := range []ROCPlotOptions{{}, {LinearFPR: true, Title: "linear"}, {MinFPR: 1e-6, MaxFPR: 0.1, MinTPR: 0.3, MarkFARs: []float64{1e-4, 1e-3}}} {
		if err := WriteROCPNG(p, curves, opts); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 200 {
			t.Errorf("image %v too small", b)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files; temporary files left behind?", len(entries))
	}
}

func TestWriteROCPNGErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "roc.png")
	for _, tc := range []struct {
		curves []ROCCurve
		want   string
	}{
		{nil, "at least one curve"},
		{[]ROCCurve{{Name: "a", FPR: []float64{0}, TPR: []float64{0}}}, "at least 2"},
		{[]ROCCurve{{Name: "a", FPR: []float64{0, 1}, TPR: []float64{0}}}, "1 TPRs"},
		{[]ROCCurve{{Name: "a", FPR: []float64{0, 2}, TPR: []float64{0, 1}}}, "outside [0, 1]"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if err := WriteROCPNG(p, tc.curves, ROCPlotOptions{}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("failed writes left %s", p)
	}
	if err := WriteROCPNG(filepath.Join(dir, "missing", "roc.png"), []ROCCurve{{FPR: []float64{0, 1}, TPR: []float64{0, 1}}}, ROCPlotOptions{}); err == nil {
		t.Error("write into a missing directory: no error")
	}
}

// TestZoomTPR checks the zoomed TPR axis minimum against hand-worked
// values: the miss rate at the FPR axis minimum, with a 10% margin, rounded
// up to 1, 2 or 5 times a power of ten.
func TestZoomTPR(t *testing.T) {
	for _, tc := range []struct {
		edge, want float64
	}{
		{0.99567, 0.995}, // m = 0.00476 -> c = 0.005
		{0.995, 0.99},    // m = 0.0055 -> 0.01
		{0.9955, 0.995},  // m = 0.00495 -> 0.005
		{0.85, 0.8},      // m = 0.165 -> 0.2
		{0.5, 0},         // m = 0.55 -> 1
		{0.6, 0.5},       // m = 0.44 -> 0.5
		{1, 0.999},       // perfect: capped at 0.001
		{0.9995, 0.999},  // m = 0.00055 -> 0.001
	} {
		t.Run(fmt.Sprint(tc.edge), func(t *testing.T) {
			curves := []ROCCurve{{FPR: []float64{0, 0, 1e-3, 1}, TPR: []float64{0, tc.edge, 1, 1}}}
			if got := zoomedMinTPR(curves, 1e-4); !near(got, tc.want) {
				t.Errorf("edge TPR %v: axis from %v, want %v", tc.edge, got, tc.want)
			}
			p, err := ROCPlot(curves, ROCPlotOptions{ZoomTPR: true, MinFPR: 1e-4})
			if err != nil {
				t.Fatal(err)
			}
			if !near(p.Y.Min, tc.want) {
				t.Errorf("edge TPR %v: plot Y.Min %v, want %v", tc.edge, p.Y.Min, tc.want)
			}
		})
	}
	// A given MinTPR wins over ZoomTPR; two curves zoom to the lower one.
	curves := []ROCCurve{
		{FPR: []float64{0, 0, 1}, TPR: []float64{0, 0.999, 1}},
		{FPR: []float64{0, 1e-5, 1}, TPR: []float64{0, 0.93, 1}},
	}
	if p, _ := ROCPlot(curves, ROCPlotOptions{ZoomTPR: true, MinTPR: 0.3}); p.Y.Min != 0.3 {
		t.Errorf("MinTPR 0.3 with ZoomTPR: Y.Min %v", p.Y.Min)
	}
	if got := zoomedMinTPR(curves, 1e-5); !near(got, 0.9) {
		t.Errorf("two curves: axis from %v, want 0.9 (second curve's miss rate 0.07 -> 0.1)", got)
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }
