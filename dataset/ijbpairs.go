package dataset

import (
	"fmt"
	"slices"
)

// IJBPairReader reads an IJB-B/C {t}_template_pair_label.txt ("template1
// template2 label" lines, label 0 or 1) in blocks on all cores, without
// allocating per line: IJB-C's 15.7 million lines parse at several hundred
// MB/s. Each streams the pairs to a consumer (verify's template scoring
// scores them as they come, so the pairs are never stored); ReadAll
// collects them.
type IJBPairReader struct {
	lf   *lineFile
	path string
}

// OpenIJBPairs opens a template-pair file and counts its lines.
func OpenIJBPairs(path string) (*IJBPairReader, error) {
	lf, err := openLineFile(path, pairBlockSize, maxLineLen)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	return &IJBPairReader{lf: lf, path: path}, nil
}

// Close closes the file.
func (r *IJBPairReader) Close() error { return r.lf.close() }

// Slots returns the number of lines of the file: every pair's 0-based line
// index is below it (blank lines hold no pair).
func (r *IJBPairReader) Slots() int { return r.lf.lines }

// Workers returns the number of goroutines Each calls fn from.
func (r *IJBPairReader) Workers() int { return r.lf.workers }

// Each parses the file block by block on Workers() goroutines and calls fn
// with every block's lines: t1[i], t2[i] and labels[i] are line first+i
// (0-based), labels[i] 1 (same subject), 0, or -1 for a blank line (no
// pair; t1[i] = t2[i] = 0). Calls with the same worker number run one after
// another, calls with different ones concurrently; the slices are reused
// after fn returns. A parse error names the file and the line; of several
// errors, the one on the earliest line is returned; a file truncated while
// it is read is a *nd.MappedFileError. Each may be called again, but not
// concurrently: the parse buffers are the reader's.
func (r *IJBPairReader) Each(fn func(worker, first int, t1, t2 []int64, labels []int8) error) error {
	type scratch struct {
		t1, t2 []int64
		lab    []int8
	}
	bufs := make([]scratch, r.lf.workers)
	err := r.lf.each(func(w, first int, data []byte) error {
		b := &bufs[w]
		if n := len(data)/12 + 16; cap(b.t1) < n { // IJB-C's lines are ~15 bytes
			b.t1, b.t2, b.lab = make([]int64, n), make([]int64, n), make([]int8, n)
		}
		t1, t2, lab := b.t1[:cap(b.t1)], b.t2[:cap(b.t2)], b.lab[:cap(b.lab)]
		var f [3][]byte
		k := 0
		for len(data) > 0 {
			if k == len(t1) { // short lines: grow, keeping what is parsed
				t1, t2, lab = slices.Grow(t1, k)[:2*k], slices.Grow(t2, k)[:2*k], slices.Grow(lab, k)[:2*k]
				b.t1, b.t2, b.lab = t1, t2, lab
			}
			m, used := fastPairLines(data, t1[k:], t2[k:], lab[k:])
			k, data = k+m, data[used:]
			if len(data) == 0 || k == len(t1) {
				continue
			}
			var line []byte
			line, data = nextLine(data)
			a, c, l, err := parsePairLine(line, &f)
			if err != nil {
				return &lineError{first + k, err}
			}
			t1[k], t2[k], lab[k] = a, c, l
			k++
		}
		return fn(w, first, t1[:k], t2[:k], lab[:k])
	})
	if err != nil {
		if r.path == "" {
			return err
		}
		return fmt.Errorf("dataset: %s: %w", r.path, err)
	}
	return nil
}

// fastPairLines parses the lines at the start of data that have the
// common form "digits digits 0|1", single spaces, numbers of at most 17
// digits, a "\n" or "\r\n" end (or the end of data), into t1, t2 and
// label (as many as they hold). It returns the lines parsed and the bytes
// they took; it stops at the first line of any other form (signs, other
// spacing, long numbers, blank lines, errors), which parsePairLine reads.
func fastPairLines(data []byte, t1, t2 []int64, label []int8) (n, used int) {
	for n < len(t1) && n < len(t2) && n < len(label) {
		a, i := leadingDigits(data, used)
		if i == used || i-used > 17 || i >= len(data) || data[i] != ' ' {
			return n, used
		}
		c, j := leadingDigits(data, i+1)
		if j == i+1 || j-i-1 > 17 || j+1 >= len(data) || data[j] != ' ' {
			return n, used
		}
		i = j
		l := data[i+1] - '0'
		if l > 1 {
			return n, used
		}
		i += 2
		if i < len(data) {
			switch {
			case data[i] == '\n':
				i++
			case data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n':
				i += 2
			default:
				return n, used
			}
		}
		t1[n], t2[n], label[n] = a, c, int8(l)
		n++
		used = i
	}
	return n, used
}

// leadingDigits returns the value of the decimal digits of data from i on
// (wrapped past 19 of them) and the index after them.
func leadingDigits(data []byte, i int) (int64, int) {
	var v int64
	for i < len(data) {
		d := data[i] - '0'
		if d > 9 {
			break
		}
		v = v*10 + int64(d)
		i++
	}
	return v, i
}

// parsePairLine parses one "template1 template2 label" line; label -1 for
// a blank line.
func parsePairLine(line []byte, f *[3][]byte) (t1, t2 int64, label int8, err error) {
	n := fields(line, f[:])
	if n == 0 {
		return 0, 0, -1, nil
	}
	if n != 3 {
		return 0, 0, 0, fmt.Errorf("%d fields, want 3 (template1 template2 label)", n)
	}
	if t1, err = parseID(f[0], "template id"); err != nil {
		return 0, 0, 0, err
	}
	if t2, err = parseID(f[1], "template id"); err != nil {
		return 0, 0, 0, err
	}
	switch {
	case len(f[2]) == 1 && f[2][0] == '1':
		label = 1
	case len(f[2]) == 1 && f[2][0] == '0':
	default:
		return 0, 0, 0, fmt.Errorf("label %q, want 0 or 1", truncate(string(f[2]), 20))
	}
	return t1, t2, label, nil
}

// ReadAll reads every pair into memory.
func (r *IJBPairReader) ReadAll() (*IJBTemplatePairs, error) {
	n := r.Slots()
	p := &IJBTemplatePairs{T1: make([]int64, n), T2: make([]int64, n), Labels: make([]bool, n)}
	var bl blanks
	blank := make([][]int, r.Workers())
	err := r.Each(func(w, first int, t1, t2 []int64, lab []int8) error {
		copy(p.T1[first:], t1)
		copy(p.T2[first:], t2)
		bk := blank[w][:0]
		for i, l := range lab {
			p.Labels[first+i] = l == 1
			if l < 0 {
				bk = append(bk, first+i)
			}
		}
		bl.add(bk)
		blank[w] = bk
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(bl.idx)
	p.T1, p.T2, p.Labels = compact(p.T1, bl.idx), compact(p.T2, bl.idx), compact(p.Labels, bl.idx)
	if len(p.Labels) == 0 {
		return nil, fmt.Errorf("no template pairs")
	}
	return p, nil
}
