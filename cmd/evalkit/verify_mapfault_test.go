//go:build unix

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/verify"
)

// TestVerifyInputRewrittenWhileRead: mapped embeddings (the pairs.txt path)
// truncated after they were opened give an error naming the file, also when
// verify's worker goroutines read them; it used to kill the process with
// SIGBUS (issue 8 item 14).
func TestVerifyInputRewrittenWhileRead(t *testing.T) {
	dir := t.TempDir()
	const rows, d = 4096, 128 // 2 MB of float32: mapped, scored on every core
	p := writeNpy(t, dir, "emb.npy", nd.Must(nd.FromFloat32(make([]float32, rows*d), rows, d)))
	emb, err := openEmbeddings(p, "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer emb.close()
	if emb.arr == nil {
		t.Fatal("embeddings were not mapped")
	}
	if err := os.Truncate(p, 128); err != nil {
		t.Fatal(err)
	}
	a, b := make([]int, rows/2), make([]int, rows/2)
	for i := range a {
		a[i], b[i] = 2*i, 2*i+1
	}
	err = nd.GuardMapped(func() error {
		_, _, err := verify.IndexedPairScores(emb.arr, nil, a, b, verify.SquaredL2)
		return err
	})
	var fe *nd.MappedFileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), filepath.Base(p)) {
		t.Errorf("err = %v, want a *nd.MappedFileError naming %s", err, filepath.Base(p))
	}
}
