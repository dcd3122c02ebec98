package nd

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
)

// deflateMaxRatio is the most DEFLATE can expand data: a 258-byte match
// coded in 2 bits gives 1,032 to 1; deflateSlack covers block headers and
// Huffman tables of tiny members.
const (
	deflateMaxRatio = 1032
	deflateSlack    = 1 << 16
)

// ZipMemberSize returns the uncompressed size a zip member declares, after
// checking it: at most limit bytes (limit <= 0: no limit of the caller's),
// and no more than the compressed data can hold (equal to it for a stored
// member, at most 1,032 times it for a deflated one). Readers may then
// allocate the declared size at once instead of growing a buffer; the zip
// reader verifies the size (and CRC-32) when the member is read to its end.
func ZipMemberSize(f *zip.File, limit int64) (int64, error) {
	n := f.UncompressedSize64
	if limit > 0 && n > uint64(limit) {
		return 0, fmt.Errorf("declares %d bytes, more than the %d this file may hold", n, limit)
	}
	switch f.Method {
	case zip.Store:
		if n != f.CompressedSize64 {
			return 0, fmt.Errorf("stored member declares %d bytes but holds %d", n, f.CompressedSize64)
		}
	case zip.Deflate:
		if f.CompressedSize64 > (1<<62)/deflateMaxRatio || n > deflateMaxRatio*f.CompressedSize64+deflateSlack {
			return 0, fmt.Errorf("declares %d bytes, more than %d deflated bytes can expand to", n, f.CompressedSize64)
		}
	}
	if n > 1<<62 {
		return 0, fmt.Errorf("declares %d bytes", n)
	}
	return int64(n), nil
}

// ReadZipMember reads a whole zip member into one buffer of its declared
// size (checked by ZipMemberSize with limit) and verifies size and CRC-32.
func ReadZipMember(f *zip.File, limit int64) ([]byte, error) {
	rc, n, err := openSized(f, limit)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }() // read-only; errors surface from Read
	b := make([]byte, n)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, fmt.Errorf("ends before the %d bytes it declares: %w", n, eofAsUnexpected(err))
	}
	if err := readToEnd(rc); err != nil {
		return nil, err
	}
	return b, nil
}

// ReadNpyZipMember reads a zip member holding one .npy array. The member's
// declared size is checked by ZipMemberSize with limit and must hold what
// the .npy header promises; the array is then allocated once at its size
// (no buffer doubling), and the member's size and CRC-32 are verified.
func ReadNpyZipMember(f *zip.File, limit int64) (*Array, error) {
	rc, n, err := openSized(f, limit)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }() // read-only; errors surface from Read
	cr := &countingReader{r: rc}
	a, err := readNpy(cr, n)
	if err != nil {
		if cr.n < n && errors.Is(cr.err, io.ErrUnexpectedEOF) {
			// The zip reader stopped short of the declared size.
			return nil, fmt.Errorf("ends before the %d bytes it declares", n)
		}
		return nil, err
	}
	if err := readToEnd(rc); err != nil {
		return nil, err
	}
	return a, nil
}

// openSized checks the member's declared size (ZipMemberSize) and opens it.
func openSized(f *zip.File, limit int64) (io.ReadCloser, int64, error) {
	n, err := ZipMemberSize(f, limit)
	if err != nil {
		return nil, 0, err
	}
	rc, err := f.Open()
	if err != nil {
		return nil, 0, err
	}
	return rc, n, nil
}

// readToEnd reads r to EOF, so that the zip reader checks the member's
// size and CRC-32; a byte beyond the declared size is an error.
func readToEnd(r io.Reader) error {
	var one [512]byte
	for {
		_, err := r.Read(one[:])
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// countingReader counts the bytes read and keeps the last error.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	if err != nil {
		c.err = err
	}
	return k, err
}
