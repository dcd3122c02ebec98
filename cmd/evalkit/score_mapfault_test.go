//go:build unix

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

func TestScoreInputRewrittenWhileRead(t *testing.T) {
	// A mapped --preds file truncated after it was opened (np.save over
	// it) gives an error naming it; reading it used to kill the process
	// with SIGBUS.
	dir := t.TempDir()
	const n = 300_000 // 1.2 MB of float32: mapped
	labels := writeNpy(t, dir, "l.npy", nd.Must(nd.FromFloat32(make([]float32, n))))
	preds := writeNpy(t, dir, "p.npy", nd.Must(nd.FromFloat32(make([]float32, n))))
	var release []func() error
	defer func() {
		for _, r := range release {
			_ = r()
		}
	}()
	l, err := readArrays("--labels", []string{labels}, &release)
	if err != nil {
		t.Fatal(err)
	}
	p, err := readArrays("--preds", []string{preds}, &release)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(preds, 128); err != nil {
		t.Fatal(err)
	}
	m, err := metric.ParseSpec("mse")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = scoreArrays(m, l, p, 0)
	var fe *nd.MappedFileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), filepath.Base(preds)+" changed while it was being read") {
		t.Errorf("err = %v, want the file named", err)
	}
}
