package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/evalkit/evalkit/nd"
)

// ReadIssameFile reads pair labels (true = same identity) from a file,
// chosen by extension: .npy (a 1-D — or N × 1 — bool or integer 0/1 array),
// .bin (the labels of an insightface .bin file), anything else text (see
// ParseIssame).
func ReadIssameFile(path string) ([]bool, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		// Bool and 0/1 integer arrays are read one byte per label; floats,
		// and integers other than 0 and 1 (for the error message), through
		// the general reader.
		l, shape, err := nd.ReadNpyFileBool(path)
		switch {
		case err == nil:
			if !(len(shape) == 1 || (len(shape) == 2 && shape[1] == 1)) {
				return nil, fmt.Errorf("dataset: %s: issame array has shape %s, want (N,) or (N, 1)", path, nd.ShapeString(shape))
			}
			return l, nil
		case !errors.Is(err, nd.ErrNotBool):
			return nil, fmt.Errorf("dataset: %w", err)
		}
		a, err := nd.ReadNpyFile(path)
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		if l, err = IssameFromArray(a); err != nil {
			return nil, fmt.Errorf("dataset: %s: %w", path, err)
		}
		return l, nil
	case ".bin":
		b, err := ReadBinFile(path)
		if err != nil {
			return nil, err
		}
		return b.Issame, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: nothing to lose
	l, err := ParseIssame(f)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return l, nil
}

// IssameFromArray converts a 1-D (or N × 1) bool or integer array of 0 and
// 1 to labels; float arrays holding only 0 and 1 are accepted too.
func IssameFromArray(a *nd.Array) ([]bool, error) {
	sh := a.Shape()
	if !(len(sh) == 1 || (len(sh) == 2 && sh[1] == 1)) {
		return nil, fmt.Errorf("issame array has shape %s, want (N,) or (N, 1)", nd.ShapeString(sh))
	}
	n := a.Size()
	out := make([]bool, n)
	for i := 0; i < n; i++ {
		switch x := a.Float(i); x {
		case 0:
		case 1:
			out[i] = true
		default:
			return nil, fmt.Errorf("issame[%d] is %v, want 0 or 1 (dtype %s)", i, x, a.DType())
		}
	}
	return out, nil
}

// ParseIssame reads one label per line: 1/0, true/false (any case), yes/no
// or same/diff. Blank lines and lines starting with # are skipped; spaces
// around a label are ignored.
func ParseIssame(r io.Reader) ([]bool, error) {
	sc := newTextLines(r)
	var out []bool
	for n := 1; sc.Scan(); n++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		switch strings.ToLower(s) {
		case "1", "true", "yes", "same":
			out = append(out, true)
		case "0", "false", "no", "diff", "different":
			out = append(out, false)
		default:
			return nil, fmt.Errorf("line %d: %q is not a pair label (want 0/1 or true/false)", n, truncate(s, 40))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// WriteIssameText writes one 0/1 label per line, which ParseIssame reads.
func WriteIssameText(w io.Writer, issame []bool) error {
	bw := bufio.NewWriter(w)
	line := [2]byte{'0', '\n'}
	for _, s := range issame {
		line[0] = '0'
		if s {
			line[0] = '1'
		}
		// bufio.Writer keeps the first error and returns it from Flush
		_, _ = bw.Write(line[:])
	}
	return bw.Flush()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
