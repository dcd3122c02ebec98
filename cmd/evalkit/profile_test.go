package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

func TestCPUProfileAndTiming(t *testing.T) {
	dir := t.TempDir()
	sc, lab := specLCGScores()
	scores := writeVerifyNpy(t, dir, "ijbc.npy", nd.Must(nd.FromFloat64(sc)))
	labels := writeVerifyNpy(t, dir, "labels.npy", nd.Must(nd.FromInts(nd.Bool, lab)))
	prof := filepath.Join(dir, "cpu.prof")
	_, errOut, err := runCLI(t, "ijb", "--scores", scores, "--labels", labels, "--cpuprofile", prof, "--timing")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	// pprof profiles are gzip-compressed protocol buffers
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("profile is %d bytes, not gzip data", len(b))
	}
	for _, p := range []string{"phase exact ROC", "phase total"} {
		if !strings.Contains(errOut, p) {
			t.Errorf("stderr lacks %q:\n%s", p, errOut)
		}
	}
}

func TestWithCPUProfileKeepsRunError(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	want := errors.New("run failed")
	if err := withCPUProfile(prof, func() error { return want }); !errors.Is(err, want) {
		t.Fatalf("err = %v, want the run's error", err)
	}
	if _, err := os.Stat(prof); err != nil {
		t.Errorf("profile of a failed run: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "missing", "cpu.prof")
	if err := withCPUProfile(bad, func() error { return nil }); err == nil || !strings.Contains(err.Error(), "cpu profile") {
		t.Errorf("unwritable profile: err = %v", err)
	}
}
