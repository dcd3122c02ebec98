package nd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"unsafe"
)

// ErrNotRows is wrapped by OpenNpyRows' error for a .npy it cannot read
// row by row (callers fall back to reading the whole array).
var ErrNotRows = errors.New("not readable row by row")

// NpyRows reads blocks of rows (slices along axis 0) of a .npy file on
// demand, with ReadAt into the caller's buffer. A program that streams a
// large array through one small buffer touches no memory but that buffer:
// on machines where first-touched pages are expensive (virtual machines
// with shadow paging, where even a mapped file's pages cost microseconds
// each on first access) it is the fastest way through a large file. The
// methods are safe for concurrent use.
type NpyRows struct {
	f      *os.File
	path   string
	dtype  DType
	shape  []int
	data   int64 // offset of the first element
	rowLen int   // elements per row
}

// OpenNpyRows opens the .npy file at path for reading by rows. It must hold
// a little-endian, C-ordered float32 or float64 array of at least one
// dimension, with all its data; other valid files give an error wrapping
// ErrNotRows, and a truncated or corrupt file the error ReadNpyFile gives.
func OpenNpyRows(path string) (*NpyRows, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nd: %w", err)
	}
	r, err := openNpyRows(f, path)
	if err != nil {
		_ = f.Close() // read-only: nothing to lose
		return nil, fmt.Errorf("nd: %s: %w", path, err)
	}
	return r, nil
}

func openNpyRows(f *os.File, path string) (*NpyRows, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file: %w", ErrNotRows)
	}
	h, hdrLen, err := readCheckedHeader(f, st.Size())
	if err != nil {
		return nil, err
	}
	switch {
	case h.dtype != Float32 && h.dtype != Float64:
		return nil, fmt.Errorf("dtype %s: %w", h.dtype, ErrNotRows)
	case h.big:
		return nil, fmt.Errorf("big-endian data: %w", ErrNotRows)
	case h.fortran && len(h.shape) > 1:
		return nil, fmt.Errorf("data in Fortran order: %w", ErrNotRows)
	case len(h.shape) == 0:
		return nil, fmt.Errorf("a 0-d array has no rows: %w", ErrNotRows)
	}
	rowLen := 1
	for _, d := range h.shape[1:] {
		rowLen *= d
	}
	return &NpyRows{f: f, path: path, dtype: h.dtype, shape: cloneShape(h.shape), data: hdrLen, rowLen: rowLen}, nil
}

// DType returns the array's dtype (Float32 or Float64).
func (r *NpyRows) DType() DType { return r.dtype }

// Shape returns the array's shape.
func (r *NpyRows) Shape() []int { return cloneShape(r.shape) }

// ReadFloat32 fills dst with the rows of a float32 array from row on:
// len(dst) must be a whole number of rows, all within the array.
func (r *NpyRows) ReadFloat32(dst []float32, row int) error {
	if r.dtype != Float32 {
		return fmt.Errorf("nd: %s: ReadFloat32 on a %s array", r.path, r.dtype)
	}
	return r.read(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), 4*len(dst)), len(dst), row)
}

// ReadFloat64 is ReadFloat32 for a float64 array.
func (r *NpyRows) ReadFloat64(dst []float64, row int) error {
	if r.dtype != Float64 {
		return fmt.Errorf("nd: %s: ReadFloat64 on a %s array", r.path, r.dtype)
	}
	return r.read(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), 8*len(dst)), len(dst), row)
}

func (r *NpyRows) read(b []byte, n, row int) error {
	if n == 0 {
		return nil
	}
	if r.rowLen == 0 || n%r.rowLen != 0 {
		return fmt.Errorf("nd: %s: a buffer of %d elements is not a whole number of %d-element rows", r.path, n, r.rowLen)
	}
	rows := n / r.rowLen
	if row < 0 || row+rows > r.shape[0] {
		return fmt.Errorf("nd: %s: rows [%d, %d) are outside the array's %d rows", r.path, row, row+rows, r.shape[0])
	}
	off := r.data + int64(row)*int64(r.rowLen)*int64(r.dtype.itemSize())
	if _, err := r.f.ReadAt(b, off); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("nd: %s: the file became shorter than its header says: %w", r.path, io.ErrUnexpectedEOF)
		}
		return fmt.Errorf("nd: %s: %w", r.path, err)
	}
	return nil
}

// Close closes the file.
func (r *NpyRows) Close() error { return r.f.Close() }
