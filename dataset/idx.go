package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/evalkit/evalkit/internal/atomicfile"
	"github.com/evalkit/evalkit/nd"
)

// IDXType is the element type code of an IDX file (the third magic byte).
type IDXType byte

// The IDX element types (http://yann.lecun.com/exdb/mnist/).
const (
	IDXUint8   IDXType = 0x08
	IDXInt8    IDXType = 0x09
	IDXInt16   IDXType = 0x0B
	IDXInt32   IDXType = 0x0C
	IDXFloat32 IDXType = 0x0D
	IDXFloat64 IDXType = 0x0E
)

// maxIDXElements bounds the element count an IDX header may declare.
const maxIDXElements = 1 << 34

// Size returns the element size in bytes, or 0 for an unknown code.
func (t IDXType) Size() int {
	switch t {
	case IDXUint8, IDXInt8:
		return 1
	case IDXInt16:
		return 2
	case IDXInt32, IDXFloat32:
		return 4
	case IDXFloat64:
		return 8
	}
	return 0
}

// String names the type as the IDX description does ("unsigned byte", ...).
func (t IDXType) String() string {
	switch t {
	case IDXUint8:
		return "unsigned byte"
	case IDXInt8:
		return "signed byte"
	case IDXInt16:
		return "short"
	case IDXInt32:
		return "int"
	case IDXFloat32:
		return "float"
	case IDXFloat64:
		return "double"
	}
	return fmt.Sprintf("IDXType(0x%02x)", byte(t))
}

// IDX is the content of one IDX file: an element type, the dimensions, and
// the elements in the file's big-endian byte order.
type IDX struct {
	Type IDXType
	Dims []int
	// Data holds Len()·Type.Size() bytes, big-endian, row-major.
	Data []byte
}

// Len returns the number of elements (the product of Dims).
func (x *IDX) Len() int {
	n := 1
	for _, d := range x.Dims {
		n *= d
	}
	return n
}

// Uint8s returns the elements of an unsigned-byte file without copying.
func (x *IDX) Uint8s() ([]uint8, error) {
	if x.Type != IDXUint8 {
		return nil, fmt.Errorf("dataset: IDX data is %s, want unsigned byte", x.Type)
	}
	return x.Data, nil
}

// Float64At returns element i converted to float64.
func (x *IDX) Float64At(i int) float64 {
	d := x.Data
	switch x.Type {
	case IDXUint8:
		return float64(d[i])
	case IDXInt8:
		return float64(int8(d[i]))
	case IDXInt16:
		return float64(int16(binary.BigEndian.Uint16(d[2*i:])))
	case IDXInt32:
		return float64(int32(binary.BigEndian.Uint32(d[4*i:])))
	case IDXFloat32:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(d[4*i:])))
	case IDXFloat64:
		return math.Float64frombits(binary.BigEndian.Uint64(d[8*i:]))
	}
	return math.NaN()
}

// Array converts the file to an nd.Array of the matching dtype (uint8,
// int8, int16, int32, float32, float64) and shape Dims.
func (x *IDX) Array() (*nd.Array, error) {
	n := x.Len()
	switch x.Type {
	case IDXFloat32:
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(binary.BigEndian.Uint32(x.Data[4*i:]))
		}
		return nd.FromFloat32(v, x.Dims...)
	case IDXFloat64:
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Float64frombits(binary.BigEndian.Uint64(x.Data[8*i:]))
		}
		return nd.FromFloat64(v, x.Dims...)
	}
	dt := map[IDXType]nd.DType{IDXUint8: nd.Uint8, IDXInt8: nd.Int8, IDXInt16: nd.Int16, IDXInt32: nd.Int32}[x.Type]
	v := make([]int64, n)
	for i := range v {
		v[i] = int64(x.Float64At(i))
	}
	return nd.FromInts(dt, v, x.Dims...)
}

// NewIDXUint8 wraps unsigned-byte data of the given dimensions.
func NewIDXUint8(data []uint8, dims ...int) (*IDX, error) {
	x := &IDX{Type: IDXUint8, Dims: append([]int(nil), dims...), Data: data}
	if err := x.check(); err != nil {
		return nil, err
	}
	return x, nil
}

func (x *IDX) check() error {
	if x.Type.Size() == 0 {
		return fmt.Errorf("dataset: IDX type code 0x%02x is not one of 08, 09, 0B, 0C, 0D, 0E", byte(x.Type))
	}
	if len(x.Dims) == 0 || len(x.Dims) > 255 {
		return fmt.Errorf("dataset: IDX needs 1 to 255 dimensions, got %d", len(x.Dims))
	}
	n := 1
	for i, d := range x.Dims {
		if d < 0 || d > math.MaxUint32 {
			return fmt.Errorf("dataset: IDX dimension %d is %d, want 0..%d", i, d, uint32(math.MaxUint32))
		}
		if d != 0 && n > maxIDXElements/d {
			return fmt.Errorf("dataset: IDX dimensions %v declare more than %d elements", x.Dims, int64(maxIDXElements))
		}
		n *= d
	}
	if len(x.Data) != n*x.Type.Size() {
		return fmt.Errorf("dataset: IDX dimensions %v of %s need %d bytes, data has %d", x.Dims, x.Type, n*x.Type.Size(), len(x.Data))
	}
	return nil
}

// WriteTo writes x in IDX format (uncompressed).
func (x *IDX) WriteTo(w io.Writer) (int64, error) {
	if err := x.check(); err != nil {
		return 0, err
	}
	hdr := make([]byte, 4+4*len(x.Dims))
	hdr[2], hdr[3] = byte(x.Type), byte(len(x.Dims))
	for i, d := range x.Dims {
		binary.BigEndian.PutUint32(hdr[4+4*i:], uint32(d))
	}
	n, err := w.Write(hdr)
	if err != nil {
		return int64(n), err
	}
	m, err := w.Write(x.Data)
	return int64(n + m), err
}

// ReadIDX reads one IDX file from r, gzip-compressed or not (detected from
// the first bytes). The whole stream must be the file: truncated data and
// trailing bytes are errors. A header declaring more data than the stream
// holds costs no more memory than the stream itself.
func ReadIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("dataset: IDX gzip header: %w", err)
		}
		defer func() { _ = zr.Close() }()
		zr.Multistream(false)
		x, err := readIDX(bufio.NewReader(zr))
		if err != nil {
			return nil, err
		}
		// The gzip member must end here (checksum verified by reading to EOF).
		if _, err := io.Copy(io.Discard, zr); err != nil {
			return nil, fmt.Errorf("dataset: IDX gzip stream: %w", err)
		}
		return x, nil
	}
	return readIDX(br)
}

func readIDX(r *bufio.Reader) (*IDX, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("dataset: IDX header: want 4 magic bytes: %w", unexpected(err))
	}
	if hdr[0] != 0 || hdr[1] != 0 {
		return nil, fmt.Errorf("dataset: not an IDX file: magic starts % x, want 00 00", hdr[:2])
	}
	x := &IDX{Type: IDXType(hdr[2])}
	if x.Type.Size() == 0 {
		return nil, fmt.Errorf("dataset: IDX type code 0x%02x is not one of 08, 09, 0B, 0C, 0D, 0E", hdr[2])
	}
	ndim := int(hdr[3])
	if ndim == 0 {
		return nil, errors.New("dataset: IDX header declares 0 dimensions, want at least 1")
	}
	dims := make([]byte, 4*ndim)
	if _, err := io.ReadFull(r, dims); err != nil {
		return nil, fmt.Errorf("dataset: IDX header: want %d dimension sizes: %w", ndim, unexpected(err))
	}
	n := 1
	for i := 0; i < ndim; i++ {
		d := int(binary.BigEndian.Uint32(dims[4*i:]))
		x.Dims = append(x.Dims, d)
		if d != 0 && n > maxIDXElements/d {
			return nil, fmt.Errorf("dataset: IDX dimensions declare more than %d elements", int64(maxIDXElements))
		}
		n *= d
	}
	size := int64(n) * int64(x.Type.Size())
	var buf bytes.Buffer
	got, err := io.Copy(&buf, io.LimitReader(r, size))
	if err != nil {
		return nil, fmt.Errorf("dataset: IDX data: %w", err)
	}
	if got < size {
		return nil, fmt.Errorf("dataset: IDX data truncated: dimensions %v of %s need %d bytes, file has %d", x.Dims, x.Type, size, got)
	}
	if _, err := r.Peek(1); err == nil {
		return nil, fmt.Errorf("dataset: IDX file has trailing bytes after the %d bytes its dimensions %v declare", size, x.Dims)
	} else if err != io.EOF {
		return nil, fmt.Errorf("dataset: IDX data: %w", err)
	}
	x.Data = buf.Bytes()
	return x, nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ReadIDXFile reads the IDX file at path (gzip-compressed or not).
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer func() { _ = f.Close() }()
	x, err := ReadIDX(f)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return x, nil
}

// WriteIDXFile writes x to path, gzip-compressed when compress is set,
// atomically: a temporary file in the same directory is written, synced and
// renamed, so a failure leaves nothing behind.
func WriteIDXFile(path string, x *IDX, compress bool) error {
	if err := x.check(); err != nil {
		return err
	}
	return writeFileAtomic(path, func(w io.Writer) error {
		if !compress {
			_, err := x.WriteTo(w)
			return err
		}
		zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
		if err != nil {
			return err
		}
		if _, err := x.WriteTo(zw); err != nil {
			return err
		}
		return zw.Close()
	})
}

// writeFileAtomic writes path through write atomically (internal/atomicfile),
// naming the file in its error.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	if err := atomicfile.Write(path, write); err != nil {
		return fmt.Errorf("dataset: writing %s: %w", path, err)
	}
	return nil
}
