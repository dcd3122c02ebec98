package report

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testFigure() Figure {
	return Figure{
		Title: "training",
		Panels: []Panel{
			TrainingPanel("acc", "batch", "acc",
				Series{Name: "train", X: []float64{20, 40, 60}, Y: []float64{0.2, 0.5, 0.7}},
				Series{Name: "val", X: []float64{60}, Y: []float64{0.75}, Points: true}),
			TrainingPanel("loss", "batch", "lossvalue",
				Series{Name: "loss", X: []float64{20, 40, 60}, Y: []float64{2, math.Inf(1), 0.9}}),
			ROCPanel("ROC", Series{Name: "AUC 0.9", X: []float64{0, 0.1, 1}, Y: []float64{0, 0.8, 1}}),
		},
		PanelWidth: 300, PanelHeight: 200,
	}
}

func TestFigurePNG(t *testing.T) {
	var buf bytes.Buffer
	if err := testFigure().WritePNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// 3 panels in 2 columns: 2 rows of 200 px plus the 36 px title.
	if b := img.Bounds(); b.Dx() != 600 || b.Dy() != 436 {
		t.Fatalf("image is %d×%d, want 600×436", b.Dx(), b.Dy())
	}
	// Something was drawn: not every pixel is white.
	nonWhite := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				nonWhite++
			}
		}
	}
	if nonWhite < 500 {
		t.Errorf("only %d sampled pixels are not white", nonWhite)
	}
}

func TestFigureErrors(t *testing.T) {
	if err := (Figure{}).WritePNG(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "no panels") {
		t.Errorf("empty figure: %v", err)
	}
	f := Figure{Panels: []Panel{{Title: "p", Series: []Series{{Name: "s", X: []float64{1, 2}, Y: []float64{1}}}}}}
	if err := f.WritePNG(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "2 X values and 1 Y values") {
		t.Errorf("ragged series: %v", err)
	}
	// An empty series still renders (the panel says there is no data).
	empty := Figure{Panels: []Panel{{Title: "p", Series: []Series{{Name: "s"}}}}}
	if err := empty.WritePNG(&bytes.Buffer{}); err != nil {
		t.Errorf("empty series: %v", err)
	}
}

func TestWritePNGFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "curves.png")
	if err := testFigure().WritePNGFile(p); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(p); err != nil || st.Size() == 0 {
		t.Fatalf("stat: %v", err)
	}
	// A failing render leaves the old file untouched and no temporary file.
	before, _ := os.ReadFile(p)
	if err := (Figure{}).WritePNGFile(p); err == nil {
		t.Fatal("bad figure written")
	}
	after, _ := os.ReadFile(p)
	if !bytes.Equal(before, after) {
		t.Error("a failed write changed the existing file")
	}
	if err := testFigure().WritePNGFile(filepath.Join(dir, "missing", "x.png")); err == nil {
		t.Error("write into a missing directory succeeded")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only curves.png", len(ents))
	}
}
