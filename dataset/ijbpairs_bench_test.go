package dataset

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// pairFile writes an IJB-C-like pair file of n lines (first templates
// ascending, second ones spread) and returns its path and size.
func pairFile(b *testing.B, n int) (string, int64) {
	b.Helper()
	var buf bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&buf, "%d %d %d\n", 1+i/1350*7, 1+(i*7919)%180000, i%800/799)
	}
	p := filepath.Join(b.TempDir(), "ijbc_template_pair_label.txt")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return p, int64(buf.Len())
}

// BenchmarkIJBPairReader parses 2 M pair lines from a file in the page
// cache (Each, all cores), against reading the file and counting its
// newlines (ReadAndCount), the floor of any reader.
func BenchmarkIJBPairReader(b *testing.B) {
	p, size := pairFile(b, 2_000_000)
	b.Run("Each", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			r, err := OpenIJBPairs(p)
			if err != nil {
				b.Fatal(err)
			}
			if err := r.Each(func(_, _ int, _, _ []int64, _ []int8) error { return nil }); err != nil {
				b.Fatal(err)
			}
			_ = r.Close()
		}
	})
	b.Run("ReadAndCount", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		buf := make([]byte, 1<<20)
		for b.Loop() {
			f, err := os.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			for {
				n, err := f.Read(buf)
				bytes.Count(buf[:n], []byte{'\n'})
				if err != nil {
					break
				}
			}
			_ = f.Close()
		}
	})
}
