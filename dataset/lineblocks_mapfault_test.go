//go:build unix

package dataset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// TestPairFileRewrittenWhileRead: a pair file is mapped and parsed in
// place; truncated after it was opened, its parse is a *nd.MappedFileError
// naming the file, not a SIGBUS that kills the process.
func TestPairFileRewrittenWhileRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ijbc_template_pair_label.txt")
	var b strings.Builder
	for i := range 200_000 { // 2.6 MB: several blocks, on every core
		fmt.Fprintf(&b, "%d %d %d\n", i/100, i%1000, i%2)
	}
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := OpenIJBPairs(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.lf.mem == nil {
		t.Fatal("the pair file was not mapped")
	}
	if err := os.Truncate(p, 100); err != nil {
		t.Fatal(err)
	}
	err = r.Each(func(_, _ int, _, _ []int64, _ []int8) error { return nil })
	var fe *nd.MappedFileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), filepath.Base(p)) {
		t.Errorf("err = %v, want a *nd.MappedFileError naming the file", err)
	}
}
