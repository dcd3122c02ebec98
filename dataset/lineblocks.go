package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"

	"github.com/evalkit/evalkit/internal/parallel"
	"github.com/evalkit/evalkit/nd"
)

// This file reads a text file of lines in blocks on several goroutines, for
// the large IJB meta files (IJB-C's pair file has 15.7 million lines). A
// first pass counts the newlines of every block, so each block knows the
// index of its first line; a second pass hands every block's whole lines
// to a parser. Both read the file mapped in memory (nd.MapFile; inside
// nd.GuardMapped, so a file truncated meanwhile is an error, not SIGBUS),
// or, for files that cannot be mapped, through one buffer per goroutine
// (pread); no memory is allocated per line or per block.

const (
	// lineBlockSize is the bytes of the file each block starts lines in,
	// small enough that the per-worker buffers (touched once, and fresh
	// pages are dear) stay small.
	lineBlockSize = 2 << 20
	// pairBlockSize is lineBlockSize for the template-pair file: ~580,000
	// pairs per block of IJB-C's file (a few hundred first templates, each
	// second template ~50 times), so that the template scoring reads each
	// second template's row from memory 4 times less often than with 2 MB
	// blocks (the template matrix, 94 MB, does not fit the caches).
	pairBlockSize = 8 << 20
	// maxLineLen bounds the bytes a block reads past its end to finish its
	// last line.
	maxLineLen = 64 << 10
)

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// lineFile is a text file split into blocks of lines.
type lineFile struct {
	f         io.ReaderAt // nil when mem holds the data
	c         io.Closer   // nil for data in memory
	mem       []byte      // the whole file, mapped (release unmaps it) or in memory
	release   func() error
	size, bom int64 // bom: 3 when the file starts with a UTF-8 byte-order mark
	block     int64
	maxLine   int64
	before    []int // newlines before each block
	lines     int   // lines of the file: newlines, plus a last unterminated line
	workers   int
	bufs      [][]byte // one read buffer per worker, for both passes (none with mem)
}

// lineError is a parse error on a 0-based line index.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %v", e.line+1, e.err) }
func (e *lineError) Unwrap() error { return e.err }

// openLineFile opens path and counts its lines (the first pass). The file
// is mapped when it can be (read in place: no copy through read buffers),
// read block by block otherwise.
func openLineFile(path string, block, maxLine int64) (*lineFile, error) {
	mem, release, err := nd.MapFile(path)
	if err != nil {
		return nil, err
	}
	if mem != nil {
		lf, err := newLineFile(nil, mem, int64(len(mem)), block, maxLine)
		if err != nil {
			_ = release() // read-only: nothing to lose
			return nil, err
		}
		lf.release = release
		return lf, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close() // read-only: nothing to lose
		return nil, err
	}
	lf, err := newLineFile(f, nil, st.Size(), block, maxLine)
	if err != nil {
		_ = f.Close() // read-only: nothing to lose
		return nil, err
	}
	lf.c = f
	return lf, nil
}

// memLineFile is data as a lineFile, in blocks of block bytes.
func memLineFile(data []byte, block int64) *lineFile {
	lf, err := newLineFile(nil, data, int64(len(data)), block, int64(len(data)))
	if err != nil {
		panic("dataset: reading memory failed: " + err.Error()) // only a mapped file's fault fails
	}
	return lf
}

// newLineFile counts the lines of the size bytes of f, or of mem when f is
// nil.
func newLineFile(f io.ReaderAt, mem []byte, size, block, maxLine int64) (*lineFile, error) {
	lf := &lineFile{f: f, mem: mem, size: size, block: block, maxLine: maxLine}
	var head [3]byte
	if h, _ := lf.read(head[:], 0, 3); bytes.Equal(h, utf8BOM) {
		lf.bom = 3
	}
	nb := int((lf.size - lf.bom + block - 1) / block)
	lf.before = make([]int, nb+1)
	lf.workers = max(1, min(runtime.GOMAXPROCS(0), nb))
	lf.bufs = make([][]byte, lf.workers)
	if mem == nil {
		for w := range lf.bufs {
			lf.bufs[w] = make([]byte, min(block+1+maxLine, size+1))
		}
	}
	counts := lf.before[1:]
	var next atomic.Int64
	err := parallel.For(lf.workers, lf.workers, func(w, _, _ int) error {
		return nd.GuardMapped(func() error {
			for {
				b := int(next.Add(1) - 1)
				if b >= nb {
					return nil
				}
				lo := lf.bom + int64(b)*block
				hi := min(lf.size, lo+block)
				data, err := lf.read(lf.bufs[w], lo, hi-lo)
				if err != nil {
					return err
				}
				counts[b] = bytes.Count(data, []byte{'\n'})
			}
		})
	})
	if err != nil {
		return nil, err
	}
	for b := 1; b <= nb; b++ {
		lf.before[b] += lf.before[b-1]
	}
	lf.lines = lf.before[nb]
	if lf.size > lf.bom {
		var last [1]byte
		l, err := lf.read(last[:], lf.size-1, 1)
		if err != nil {
			return nil, err
		}
		if l[0] != '\n' {
			lf.lines++
		}
	}
	return lf, nil
}

// read returns the n bytes at off (fewer at the end of the data): a slice
// of mem, or read into buf (of at least that length).
func (lf *lineFile) read(buf []byte, off, n int64) ([]byte, error) {
	end := min(lf.size, off+n)
	if lf.mem != nil {
		return lf.mem[off:end], nil
	}
	got, err := lf.f.ReadAt(buf[:end-off], off)
	if err != nil && !(errors.Is(err, io.EOF) && int64(got) == end-off) {
		return nil, err
	}
	return buf[:got], nil
}

func (lf *lineFile) close() error {
	var err error
	if lf.release != nil {
		err = lf.release()
	}
	if lf.c != nil {
		err = errors.Join(err, lf.c.Close())
	}
	return err
}

// each calls fn with the whole lines starting in every block, from up to
// lf.workers goroutines (worker numbers 0…workers-1, each with its own
// calls in sequence); first is the 0-based index of data's first line.
// data ends with its last line's newline, if it has one, and is only valid
// during the call. On errors, the one on the earliest line is returned
// (errors that are not *lineError count at their block's first line).
func (lf *lineFile) each(fn func(worker, first int, data []byte) error) error {
	nb := len(lf.before) - 1
	var next atomic.Int64
	var stop atomic.Int64 // blocks above stop are not started after an error
	stop.Store(int64(nb))
	type failure struct {
		line int
		err  error
	}
	fails := make([]failure, lf.workers)
	_ = parallel.For(lf.workers, lf.workers, func(w, _, _ int) error { // errors go to fails
		buf := lf.bufs[w]
		fails[w].line = -1
		for {
			b := int(next.Add(1) - 1)
			if b >= nb || int64(b) > stop.Load() {
				return nil
			}
			var line int
			err := nd.GuardMapped(func() (err error) {
				line, err = lf.block1(b, buf, w, fn)
				return err
			})
			if err != nil {
				var le *lineError
				if errors.As(err, &le) {
					line = le.line
				}
				if fails[w].line < 0 || line < fails[w].line {
					fails[w] = failure{line, err}
				}
				for s := stop.Load(); int64(b) < s && !stop.CompareAndSwap(s, int64(b)); s = stop.Load() {
				}
				return nil
			}
		}
	})
	var first failure
	first.line = -1
	for _, f := range fails {
		if f.err != nil && (first.line < 0 || f.line < first.line) {
			first = f
		}
	}
	return first.err
}

// block1 runs fn on block b's lines; it returns the index of the block's
// first line with fn's error.
func (lf *lineFile) block1(b int, buf []byte, w int, fn func(worker, first int, data []byte) error) (int, error) {
	start := lf.bom + int64(b)*lf.block
	end := min(lf.size, start+lf.block)
	rs := start
	if b > 0 {
		rs-- // the byte before the block says whether a line starts at start
	}
	re := min(lf.size, end+lf.maxLine)
	data, err := lf.read(buf, rs, re-rs)
	if err != nil {
		return lf.before[b], err
	}
	if int64(len(data)) != re-rs {
		return lf.before[b], io.ErrUnexpectedEOF
	}
	first := lf.before[b]
	p := start - rs // offset in data of the block's first line
	if b > 0 && data[0] != '\n' {
		// the line at start began in the block before, which parses it
		i := bytes.IndexByte(data[p:end-rs], '\n')
		if i < 0 {
			return first, nil // no line starts here
		}
		p += int64(i) + 1
		first++
	}
	if p >= end-rs {
		return first, nil
	}
	e := end - rs // lines starting before end run to their newline
	if data[e-1] != '\n' {
		i := bytes.IndexByte(data[e:], '\n')
		switch {
		case i >= 0:
			e += int64(i) + 1
		case re == lf.size:
			e = re - rs
		default:
			return first, &lineError{lf.before[b+1], fmt.Errorf("line longer than %d bytes", lf.maxLine)}
		}
	}
	return first, fn(w, first, data[p:e])
}

// nextLine splits data into its first line (without the newline) and the
// rest.
func nextLine(data []byte) (line, rest []byte) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return data, nil
	}
	return data[:i], data[i+1:]
}

// isSpace reports the ASCII white space that separates fields (as
// strings.Fields does for ASCII text; '\r' ends CRLF lines).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

// fields splits line at white space into dst and returns the number of
// fields of the line (fields past len(dst) are counted, not stored).
func fields(line []byte, dst [][]byte) (n int) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return n
		}
		j := i
		for j < len(line) && !isSpace(line[j]) {
			j++
		}
		if n < len(dst) {
			dst[n] = line[i:j]
		}
		n++
		i = j
	}
}

// parseInt parses a decimal int64 (optional sign) without allocating.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	for len(b) > 1 && b[0] == '0' {
		b = b[1:]
	}
	if len(b) > 19 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}
