package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteIdentificationPNG(t *testing.T) {
	dir := t.TempDir()
	c := IdentificationCurves{Name: "test", Ranks: []int{1, 5, 10, 20}, Rates: []float64{0.5, 0.8, 0.9, 0.95},
		FPIR: []float64{0, 0.01, 0.1, 1}, FNIR: []float64{1, 0.7, 0.4, 0.2}}
	for _, withDET := range []bool{false, true} {
		cc := c
		if !withDET {
			cc.FPIR, cc.FNIR = nil, nil
		}
		p := filepath.Join(dir, "id.png")
		if err := WriteIdentificationPNG(p, cc); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Fatalf("not a PNG: %v", err)
		}
	}
	bad := c
	bad.Rates = []float64{0.5, 1.5, 1, 1}
	if err := WriteIdentificationPNG(filepath.Join(dir, "bad.png"), bad); err == nil {
		t.Error("rate 1.5 accepted")
	}
	bad = c
	bad.FNIR = bad.FNIR[:2]
	if err := WriteIdentificationPNG(filepath.Join(dir, "bad.png"), bad); err == nil {
		t.Error("unequal DET lengths accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.png")); !os.IsNotExist(err) {
		t.Error("a failed plot left a file")
	}
}
