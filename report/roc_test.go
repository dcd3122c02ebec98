package report

import (
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
		if err := WriteROCPNG(p, tc.curves, ROCPlotOptions{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("failed writes left %s", p)
	}
	if err := WriteROCPNG(filepath.Join(dir, "missing", "roc.png"), []ROCCurve{{FPR: []float64{0, 1}, TPR: []float64{0, 1}}}, ROCPlotOptions{}); err == nil {
		t.Error("write into a missing directory: no error")
	}
}
