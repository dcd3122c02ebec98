package nd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"unsafe"
)

// ErrNotBool is wrapped by ReadNpyBool's error for a .npy of another dtype.
var ErrNotBool = errors.New("not a bool array")

// ReadNpyBool reads a .npy array of dtype bool from r straight into a
// []bool, one byte per element, in C order, with its shape. ReadNpy keeps
// every integer dtype as int64, eight bytes per element: for 10 million
// labels that is 80 MB of fresh memory instead of 10 MB, and on machines
// where a first-touched page is expensive the difference is a large part of
// an evaluation's run time. Any nonzero byte reads as true, as in ReadNpy.
// An array of another dtype gives an error wrapping ErrNotBool (callers
// fall back to ReadNpy).
func ReadNpyBool(r io.Reader) (data []bool, shape []int, err error) {
	data, shape, err = readNpyBool(r, remainingBytes(r))
	if err != nil {
		return nil, nil, fmt.Errorf("nd: %w", err)
	}
	return data, shape, nil
}

// ReadNpyFileBool is ReadNpyBool on the file at path.
func ReadNpyFileBool(path string) (data []bool, shape []int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("nd: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: nothing to lose
	data, shape, err = readNpyBool(f, remainingBytes(f))
	if err != nil {
		return nil, nil, fmt.Errorf("nd: %s: %w", path, err)
	}
	return data, shape, nil
}

// readNpyBool reads a bool .npy from r, which has remaining bytes left
// (-1 when unknown).
func readNpyBool(r io.Reader, remaining int64) ([]bool, []int, error) {
	h, hdrLen, err := readNpyHeader(r)
	if err != nil {
		return nil, nil, err
	}
	if h.dtype != Bool {
		return nil, nil, fmt.Errorf("dtype %s (%q): %w", h.dtype, h.descr, ErrNotBool)
	}
	// With the input's length known the result is allocated once;
	// otherwise it grows as data arrives, so a header claiming more data
	// than the input has costs no more memory than the input.
	initial := min(h.size, npyChunk)
	if remaining >= 0 {
		if remaining-hdrLen < h.nbytes {
			return nil, nil, h.truncated(remaining - hdrLen)
		}
		initial = h.size
	}
	buf := make([]byte, 0, initial)
	var got int64
	for len(buf) < h.size {
		m := min(h.size-len(buf), npyChunk)
		if cap(buf)-len(buf) < m {
			grown := make([]byte, len(buf), min(h.size, max(2*cap(buf), len(buf)+m)))
			copy(grown, buf)
			buf = grown
		}
		k, err := io.ReadFull(r, buf[len(buf):len(buf)+m])
		got += int64(k)
		if err != nil {
			if errors.Is(eofAsUnexpected(err), io.ErrUnexpectedEOF) {
				return nil, nil, h.truncated(got)
			}
			return nil, nil, err
		}
		buf = buf[:len(buf)+m]
	}
	for i, b := range buf {
		buf[i] = min(b, 1) // only 0 and 1 are valid Go bools
	}
	if h.fortran && len(h.shape) > 1 {
		buf = fortranToC(buf, h.shape)
	}
	if len(buf) == 0 {
		return []bool{}, cloneShape(h.shape), nil
	}
	return unsafe.Slice((*bool)(unsafe.Pointer(unsafe.SliceData(buf))), len(buf)), cloneShape(h.shape), nil
}
