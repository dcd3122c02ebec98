package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestDemoModelThroughONNXRuntime trains with demo (two epochs), then
// evaluates the model.onnx it wrote through ONNX Runtime on the fashion.bin
// it wrote: the Accuracy-Flip line must be the one the training run's final
// verification reached with the Go forward pass.
func TestDemoModelThroughONNXRuntime(t *testing.T) {
	skipWithoutORT(t)
	if testing.Short() {
		t.Skip("trains for two epochs")
	}
	out := t.TempDir()
	log, _, err := runCLI(t, "demo", "--out", out, "--epochs", "2")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`verification accuracy (\d\.\d{5})\+-(\d\.\d{5}) \(AUC (\d\.\d{4})\)`).FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no final verification line in the demo's output:\n%s", log)
	}
	got, _, err := runCLI(t, "verify", "--model", filepath.Join(out, "model.onnx"), "--bin", filepath.Join(out, "fashion.bin"))
	if err != nil {
		t.Fatal(err)
	}
	want := "[fashion]Accuracy-Flip: " + m[1] + "+-" + m[2] + "\n"
	if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(got) {
		t.Errorf("verify --model printed\n%s\nwant the line %q", got, want)
	}
	a := regexp.MustCompile(`\[fashion\]AUC: (\S+)`).FindStringSubmatch(got)
	if a == nil {
		t.Fatalf("no AUC line in\n%s", got)
	}
	if auc, err := strconv.ParseFloat(a[1], 64); err != nil || strconv.FormatFloat(auc, 'f', 4, 64) != m[3] {
		t.Errorf("verify --model printed AUC %s, want %s to 4 decimals", a[1], m[3])
	}
}
