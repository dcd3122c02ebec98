package nd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"unsafe"
)

// ErrNotBool is wrapped by ReadNpyBool's error for an array that is not
// one of 0/1 labels: a float dtype, or an integer element other than 0 and 1.
var ErrNotBool = errors.New("not a bool array")

// ReadNpyBool reads a .npy array of labels from r straight into a []bool,
// one byte per element, in C order, with its shape: dtype bool (any nonzero
// byte reads as true, as in ReadNpy), or any integer dtype whose elements
// are all 0 or 1. ReadNpy keeps every integer dtype as int64, eight bytes
// per element: for 15 million IJB-C pair labels that is 120 MB of fresh
// memory instead of 15 MB, and on machines where a first-touched page is
// expensive the difference is a large part of an evaluation's run time. A
// float array, or an integer element other than 0 and 1, gives an error
// wrapping ErrNotBool (callers fall back to ReadNpy, whose errors and
// conversions then apply).
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

// readNpyBool reads labels from r, which has remaining bytes left (-1 when
// unknown).
func readNpyBool(r io.Reader, remaining int64) ([]bool, []int, error) {
	h, _, err := readCheckedHeader(r, remaining)
	if err != nil {
		return nil, nil, err
	}
	if h.dtype.IsFloat() {
		return nil, nil, fmt.Errorf("dtype %s (%q): %w", h.dtype, h.descr, ErrNotBool)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if h.big {
		bo = binary.BigEndian
	}
	// readElems sizes the result once when the input's length is known,
	// and otherwise grows it as data arrives. Elements become 0 or 1:
	// bools once complete.
	out, got, err := readElems(r, h, remaining >= 0, func(dst []byte, src []byte, base int) error {
		return decodeBinary(dst, src, h.dtype, bo, base)
	})
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, h.truncated(got)
		}
		return nil, nil, err
	}
	if h.fortran && len(h.shape) > 1 {
		out = fortranToC(out, h.shape)
	}
	if len(out) == 0 {
		return []bool{}, cloneShape(h.shape), nil
	}
	return unsafe.Slice((*bool)(unsafe.Pointer(unsafe.SliceData(out))), len(out)), cloneShape(h.shape), nil
}

// decodeBinary writes 0 or 1 per element of src (dtype dt, byte order bo)
// into dst; base is dst[0]'s element index, for errors.
func decodeBinary(dst, src []byte, dt DType, bo binary.ByteOrder, base int) error {
	var v uint64
	for i := range dst {
		switch dt {
		case Bool:
			dst[i] = min(src[i], 1)
			continue
		case Int8, Uint8:
			v = uint64(src[i])
		case Int16, Uint16:
			v = uint64(bo.Uint16(src[2*i:]))
		case Int32, Uint32:
			v = uint64(bo.Uint32(src[4*i:]))
		default: // Int64, Uint64
			v = bo.Uint64(src[8*i:])
		}
		if v > 1 {
			return fmt.Errorf("element %d is not 0 or 1 (%s): %w", base+i, dt, ErrNotBool)
		}
		dst[i] = byte(v)
	}
	return nil
}
