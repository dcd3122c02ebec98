package nd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/evalkit/evalkit/internal/atomicfile"
)

// The .npy format (numpy/lib/format.py): a 6-byte magic, a major and minor
// version byte, the header length (uint16 for 1.0, uint32 for 2.0 and 3.0,
// little-endian), an ASCII (1.0, 2.0) or UTF-8 (3.0) Python dict literal
// padded with spaces to a multiple of 64 bytes and ended by '\n', then the
// raw elements.
const (
	npyMagic = "\x93NUMPY"
	// npyAlign is numpy's ARRAY_ALIGN: the data starts on this boundary.
	npyAlign = 64
	// npyGrowthDigits is numpy's GROWTH_AXIS_MAX_DIGITS: the header leaves
	// room for the growth axis to reach this many digits.
	npyGrowthDigits = 21
	// maxNpyHeader bounds the header we are willing to read. numpy itself
	// refuses headers over 10,000 bytes unless told otherwise.
	maxNpyHeader = 1 << 20
	// npyChunk is the size of the buffer data is read and written through.
	npyChunk = 64 << 10
)

// npyHeader is a parsed .npy header.
type npyHeader struct {
	major, minor byte
	descr        string
	dtype        DType
	big          bool // big-endian elements
	itemsize     int
	fortran      bool
	shape        []int
	size         int   // number of elements
	nbytes       int64 // size * itemsize
}

// ReadNpy reads one array in .npy format (version 1.0, 2.0 or 3.0) from r,
// leaving r positioned after the array's data. The dtypes numpy writes for
// labels and predictions are accepted in either byte order: bool (any
// nonzero byte reads as 1), int8-int64, uint8-uint64 (values above
// math.MaxInt64 are an error), float16 (widened exactly to float32),
// float32 and float64. Fortran-ordered data is transposed into C order.
//
// When r can tell how much data it holds (a Len() int method as
// *bytes.Reader has, a regular *os.File, an io.Seeker), a header promising
// more than that is rejected before anything is allocated; otherwise data
// is read in bounded chunks, so a lying header costs at most about twice
// the bytes actually present.
func ReadNpy(r io.Reader) (*Array, error) {
	a, err := readNpy(r, remainingBytes(r))
	if err != nil {
		return nil, fmt.Errorf("nd: %w", err)
	}
	return a, nil
}

// ReadNpyFile reads the .npy file at path.
func ReadNpyFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nd: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: nothing to lose
	a, err := readNpy(f, remainingBytes(f))
	if err != nil {
		return nil, fmt.Errorf("nd: %s: %w", path, err)
	}
	return a, nil
}

// remainingBytes returns how many bytes r has left, or -1 when unknown.
func remainingBytes(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }: // bytes.Reader, bytes.Buffer, strings.Reader
		return int64(v.Len())
	case *os.File:
		st, err := v.Stat()
		if err != nil || !st.Mode().IsRegular() {
			return -1
		}
		off, err := v.Seek(0, io.SeekCurrent)
		if err != nil || off > st.Size() {
			return -1
		}
		return st.Size() - off
	case io.Seeker:
		cur, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		end, err := v.Seek(0, io.SeekEnd)
		if _, err2 := v.Seek(cur, io.SeekStart); err != nil || err2 != nil || end < cur {
			return -1
		}
		return end - cur
	}
	return -1
}

// readNpy reads a .npy stream of which remaining bytes are left (-1 when
// unknown). Its errors carry no "nd: " prefix; callers add it.
func readNpy(r io.Reader, remaining int64) (*Array, error) {
	h, _, err := readCheckedHeader(r, remaining)
	if err != nil {
		return nil, err
	}
	return readNpyData(r, h, remaining >= 0)
}

// readCheckedHeader is readNpyHeader for an input of remaining bytes (-1
// when unknown): when known, it must hold all the data the header
// promises.
func readCheckedHeader(r io.Reader, remaining int64) (*npyHeader, int64, error) {
	h, hdrLen, err := readNpyHeader(r)
	if err != nil {
		return nil, 0, err
	}
	if remaining >= 0 && remaining-hdrLen < h.nbytes {
		return nil, 0, h.truncated(remaining - hdrLen)
	}
	return h, hdrLen, nil
}

func (h *npyHeader) truncated(got int64) error {
	return fmt.Errorf(".npy data truncated: header says %s %s = %d bytes, file has %d",
		h.dtype, ShapeString(h.shape), h.nbytes, got)
}

// readNpyHeader reads and parses the magic, version and header dict, and
// returns the header and the number of bytes consumed.
func readNpyHeader(r io.Reader) (*npyHeader, int64, error) {
	var pre [8]byte
	n, err := io.ReadFull(r, pre[:])
	if err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return nil, 0, errors.New("empty .npy input: want the magic \"\\x93NUMPY\"")
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			if !strings.HasPrefix(npyMagic, string(pre[:min(n, 6)])) {
				return nil, 0, fmt.Errorf("bad .npy magic: got %q, want %q", pre[:min(n, 6)], npyMagic)
			}
			return nil, 0, fmt.Errorf(".npy input too short: got %d bytes, want at least 10 (magic, version, header length)", n)
		}
		return nil, 0, err
	}
	if string(pre[:6]) != npyMagic {
		hint := ""
		if string(pre[:4]) == "PK\x03\x04" {
			hint = " (this is a zip archive: an .npz? read it with ReadNpz)"
		}
		return nil, 0, fmt.Errorf("bad .npy magic: got %q, want %q%s", pre[:6], npyMagic, hint)
	}
	h := &npyHeader{major: pre[6], minor: pre[7]}
	var hlen int64
	var consumed int64 = 8
	switch {
	case h.major == 1 && h.minor == 0:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, 0, fmt.Errorf(".npy input too short: no header length after the version: %w", eofAsUnexpected(err))
		}
		hlen = int64(binary.LittleEndian.Uint16(b[:]))
		consumed += 2
	case (h.major == 2 || h.major == 3) && h.minor == 0:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, 0, fmt.Errorf(".npy input too short: no header length after the version: %w", eofAsUnexpected(err))
		}
		hlen = int64(binary.LittleEndian.Uint32(b[:]))
		consumed += 4
	default:
		return nil, 0, fmt.Errorf("unsupported .npy format version %d.%d (want 1.0, 2.0 or 3.0)", h.major, h.minor)
	}
	if hlen > maxNpyHeader {
		return nil, 0, fmt.Errorf(".npy header length %d exceeds the limit of %d bytes", hlen, maxNpyHeader)
	}
	// ReadAll through a LimitReader grows its buffer as bytes arrive, so a
	// lying length on a short stream allocates little.
	hdr, err := io.ReadAll(io.LimitReader(r, hlen))
	if err != nil {
		return nil, 0, err
	}
	if int64(len(hdr)) < hlen {
		return nil, 0, fmt.Errorf(".npy header truncated: header length says %d bytes, got %d", hlen, len(hdr))
	}
	consumed += hlen
	if err := h.parse(hdr); err != nil {
		return nil, 0, err
	}
	return h, consumed, nil
}

func eofAsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// quoteHeader shortens a header for an error message.
func quoteHeader(b []byte) string {
	s := strings.TrimRight(string(b), " \n\x00")
	if len(s) > 200 {
		return strconv.Quote(s[:200]) + "…"
	}
	return strconv.Quote(s)
}

// parse fills h from the header dict literal.
func (h *npyHeader) parse(hdr []byte) error {
	p := &pyParser{s: hdr}
	v, err := p.parse()
	if err != nil {
		return fmt.Errorf("malformed .npy header %s: %w", quoteHeader(hdr), err)
	}
	d, ok := v.(pyDict)
	if !ok {
		return fmt.Errorf("malformed .npy header %s: want a dict {'descr': …, 'fortran_order': …, 'shape': …}, got a %s", quoteHeader(hdr), pyTypeName(v))
	}
	var haveDescr, haveOrder, haveShape bool
	for _, kv := range d {
		key, ok := kv.key.(string)
		if !ok {
			continue // not one of ours; numpy would reject, we ignore
		}
		switch key {
		case "descr":
			haveDescr = true
			switch x := kv.val.(type) {
			case string:
				h.descr = x
			case pyList:
				return fmt.Errorf("unsupported .npy dtype: structured (record) dtype %s; save each field as its own array", quoteHeader(hdr))
			default:
				return fmt.Errorf(".npy header 'descr' is a %s, want a string such as '<f4'", pyTypeName(kv.val))
			}
		case "fortran_order":
			haveOrder = true
			b, ok := kv.val.(bool)
			if !ok {
				return fmt.Errorf(".npy header 'fortran_order' is a %s, want True or False", pyTypeName(kv.val))
			}
			h.fortran = b
		case "shape":
			haveShape = true
			var elems []any
			switch x := kv.val.(type) {
			case pyTuple:
				elems = x
			case pyList:
				elems = x
			default:
				return fmt.Errorf(".npy header 'shape' is a %s, want a tuple of ints such as (3, 4)", pyTypeName(kv.val))
			}
			h.shape = make([]int, len(elems))
			for i, e := range elems {
				n, ok := e.(int64)
				if !ok {
					return fmt.Errorf(".npy header 'shape' element %d is a %s, want an int", i, pyTypeName(e))
				}
				if n < 0 {
					return fmt.Errorf(".npy header has negative dimension %d in shape %s", n, pyRepr(kv.val))
				}
				if n > math.MaxInt {
					return fmt.Errorf(".npy header dimension %d is too large", n)
				}
				h.shape[i] = int(n)
			}
		}
	}
	for _, m := range []struct {
		have bool
		key  string
	}{{haveDescr, "descr"}, {haveOrder, "fortran_order"}, {haveShape, "shape"}} {
		if !m.have {
			return fmt.Errorf(".npy header %s has no '%s' key", quoteHeader(hdr), m.key)
		}
	}
	if err := h.parseDescr(); err != nil {
		return err
	}
	size := 1
	for _, d := range h.shape {
		if d != 0 && size > math.MaxInt/d {
			return fmt.Errorf(".npy header shape %s has too many elements", ShapeString(h.shape))
		}
		size *= d
	}
	if size > math.MaxInt64/h.itemsize {
		return fmt.Errorf(".npy header shape %s of %s has too many bytes", ShapeString(h.shape), h.dtype)
	}
	h.size = size
	h.nbytes = int64(size) * int64(h.itemsize)
	return nil
}

// hostBig reports whether this machine is big-endian ('=' in a descr).
var hostBig = func() bool {
	var b [2]byte
	binary.NativeEndian.PutUint16(b[:], 1)
	return b[0] == 0
}()

// parseDescr maps a numpy type string such as "<f4" to a DType.
func (h *npyHeader) parseDescr() error {
	s := h.descr
	h.big = hostBig
	if s != "" {
		switch s[0] {
		case '<':
			h.big, s = false, s[1:]
		case '>':
			h.big, s = true, s[1:]
		case '|', '=':
			s = s[1:]
		}
	}
	if dt, err := ParseDType(s); err == nil { // 'float32', 'int64', …
		h.dtype, h.itemsize = dt, dt.itemSize()
		return nil
	}
	unsupported := func(name string) error {
		return fmt.Errorf("unsupported .npy dtype %q (%s); evalkit reads bool, int8-int64, uint8-uint64, float16, float32 and float64", h.descr, name)
	}
	if s == "" {
		return fmt.Errorf("unsupported .npy dtype %q: empty type string", h.descr)
	}
	kind, sizeStr := s[0], s[1:]
	size := -1
	if sizeStr != "" {
		n, err := strconv.Atoi(sizeStr)
		if err != nil || n <= 0 {
			size = 0 // a size we will not recognise
		} else {
			size = n
		}
	}
	var dt DType
	ok := false
	switch kind {
	case '?':
		dt, ok = Bool, size == -1 || size == 1
	case 'b':
		dt, ok = Bool, size == 1
		if size == -1 {
			dt, ok = Int8, true // numpy's 'b' is signed char
		}
	case 'B':
		dt, ok = Uint8, size == -1
	case 'i':
		switch size {
		case 1:
			dt, ok = Int8, true
		case 2:
			dt, ok = Int16, true
		case 4:
			dt, ok = Int32, true
		case 8:
			dt, ok = Int64, true
		}
	case 'u':
		switch size {
		case 1:
			dt, ok = Uint8, true
		case 2:
			dt, ok = Uint16, true
		case 4:
			dt, ok = Uint32, true
		case 8:
			dt, ok = Uint64, true
		}
	case 'f':
		switch size {
		case 2:
			dt, ok = Float16, true
		case 4:
			dt, ok = Float32, true
		case 8:
			dt, ok = Float64, true
		case 12, 16:
			return unsupported("float128, numpy's longdouble")
		}
	case 'e':
		dt, ok = Float16, size == -1
	case 'd':
		dt, ok = Float64, size == -1
	case 'c':
		switch size {
		case 8:
			return unsupported("complex64")
		case 16:
			return unsupported("complex128")
		default:
			return unsupported("complex")
		}
	case 'O':
		return fmt.Errorf("unsupported .npy dtype %q: a Python object array, which needs pickle; save a numeric array instead, e.g. np.save(path, a.astype(np.float32))", h.descr)
	case 'U':
		return unsupported("unicode string")
	case 'S', 'a':
		return unsupported("byte string")
	case 'V':
		return unsupported("void/structured")
	case 'M':
		return unsupported("datetime64")
	case 'm':
		return unsupported("timedelta64")
	}
	if !ok {
		return fmt.Errorf("unsupported .npy dtype %q; evalkit reads bool, int8-int64, uint8-uint64, float16, float32 and float64", h.descr)
	}
	h.dtype, h.itemsize = dt, dt.itemSize()
	return nil
}

// itemSize returns the number of bytes one element takes in a .npy file.
func (d DType) itemSize() int {
	switch d {
	case Bool, Int8, Uint8:
		return 1
	case Float16, Int16, Uint16:
		return 2
	case Float32, Int32, Uint32:
		return 4
	default:
		return 8
	}
}

// descr returns the little-endian numpy type string for d.
func (d DType) descr() string {
	switch d {
	case Bool:
		return "|b1"
	case Int8:
		return "|i1"
	case Uint8:
		return "|u1"
	case Int16:
		return "<i2"
	case Int32:
		return "<i4"
	case Int64:
		return "<i8"
	case Uint16:
		return "<u2"
	case Uint32:
		return "<u4"
	case Uint64:
		return "<u8"
	case Float16:
		return "<f2"
	case Float32:
		return "<f4"
	default:
		return "<f8"
	}
}

// readNpyData reads the elements h describes. exact is true when the
// stream is known to hold them all, so the storage is allocated at once.
func readNpyData(r io.Reader, h *npyHeader, exact bool) (*Array, error) {
	a := &Array{dtype: h.dtype, shape: h.shape}
	var err error
	var got int64
	bo := binary.ByteOrder(binary.LittleEndian)
	if h.big {
		bo = binary.BigEndian
	}
	switch h.dtype {
	case Float32:
		a.f32, got, err = readElems(r, h, exact, func(dst []float32, src []byte, _ int) error {
			if h.big {
				for i := range dst {
					dst[i] = math.Float32frombits(binary.BigEndian.Uint32(src[4*i:]))
				}
			} else {
				for i := range dst {
					dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
				}
			}
			return nil
		})
	case Float16:
		a.f32, got, err = readElems(r, h, exact, func(dst []float32, src []byte, _ int) error {
			for i := range dst {
				dst[i] = Float16ToFloat32(bo.Uint16(src[2*i:]))
			}
			return nil
		})
	case Float64:
		a.f64, got, err = readElems(r, h, exact, func(dst []float64, src []byte, _ int) error {
			if h.big {
				for i := range dst {
					dst[i] = math.Float64frombits(binary.BigEndian.Uint64(src[8*i:]))
				}
			} else {
				for i := range dst {
					dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:]))
				}
			}
			return nil
		})
	default:
		dt := h.dtype
		a.i64, got, err = readElems(r, h, exact, func(dst []int64, src []byte, base int) error {
			switch dt {
			case Bool:
				for i := range dst {
					dst[i] = int64(min(src[i], 1))
				}
			case Int8:
				for i := range dst {
					dst[i] = int64(int8(src[i]))
				}
			case Uint8:
				for i := range dst {
					dst[i] = int64(src[i])
				}
			case Int16:
				for i := range dst {
					dst[i] = int64(int16(bo.Uint16(src[2*i:])))
				}
			case Uint16:
				for i := range dst {
					dst[i] = int64(bo.Uint16(src[2*i:]))
				}
			case Int32:
				for i := range dst {
					dst[i] = int64(int32(bo.Uint32(src[4*i:])))
				}
			case Uint32:
				for i := range dst {
					dst[i] = int64(bo.Uint32(src[4*i:]))
				}
			case Int64:
				for i := range dst {
					dst[i] = int64(bo.Uint64(src[8*i:]))
				}
			case Uint64:
				for i := range dst {
					v := bo.Uint64(src[8*i:])
					if v > math.MaxInt64 {
						return fmt.Errorf(".npy uint64 element %d is %d, above the int64 range evalkit stores integers in", base+i, v)
					}
					dst[i] = int64(v)
				}
			}
			return nil
		})
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, h.truncated(got)
		}
		return nil, err
	}
	if h.fortran && len(h.shape) > 1 {
		switch h.dtype.storage() {
		case Float32:
			a.f32 = fortranToC(a.f32, h.shape)
		case Float64:
			a.f64 = fortranToC(a.f64, h.shape)
		default:
			a.i64 = fortranToC(a.i64, h.shape)
		}
	}
	return a, nil
}

// readElems reads h.size elements of h.itemsize bytes through a bounded
// buffer, decoding each chunk with dec (which gets the index of the chunk's
// first element). Unless exact, the destination grows as data arrives. On a
// short stream it returns io.ErrUnexpectedEOF and the number of data bytes
// that were present.
func readElems[T any](r io.Reader, h *npyHeader, exact bool, dec func(dst []T, src []byte, base int) error) ([]T, int64, error) {
	n, item := h.size, h.itemsize
	per := npyChunk / item
	var dst []T
	if exact {
		dst = make([]T, 0, n)
	} else {
		dst = make([]T, 0, min(n, per))
	}
	buf := make([]byte, min(n, per)*item)
	var got int64
	for len(dst) < n {
		m := min(n-len(dst), per)
		k, err := io.ReadFull(r, buf[:m*item])
		got += int64(k)
		if err != nil {
			return nil, got, eofAsUnexpected(err)
		}
		old := len(dst)
		if cap(dst)-old < m {
			// Grow by doubling, as append would, but never past n.
			c := min(n, max(2*cap(dst), old+m))
			grown := make([]T, old, c)
			copy(grown, dst)
			dst = grown
		}
		dst = dst[:old+m]
		if err := dec(dst[old:], buf[:m*item], old); err != nil {
			return nil, got, err
		}
	}
	return dst, got, nil
}

// fortranToC reorders src, the elements of shape in Fortran (column-major)
// order, into a new slice in C (row-major) order.
func fortranToC[T any](src []T, shape []int) []T {
	dst := make([]T, len(src))
	rank := len(shape)
	cs := make([]int, rank) // C strides
	s := 1
	for i := rank - 1; i >= 0; i-- {
		cs[i] = s
		s *= shape[i]
	}
	idx := make([]int, rank)
	off := 0
	for _, v := range src {
		dst[off] = v
		for ax := 0; ax < rank; ax++ { // axis 0 varies fastest in Fortran order
			idx[ax]++
			off += cs[ax]
			if idx[ax] < shape[ax] {
				break
			}
			off -= cs[ax] * shape[ax]
			idx[ax] = 0
		}
	}
	return dst
}

// npyHeaderBytes returns the full .npy preamble (magic, version, length,
// dict, padding) for a C-ordered array of dtype dt and shape, laid out
// byte for byte as numpy's np.save writes it.
func npyHeaderBytes(dt DType, shape []int) ([]byte, error) {
	dict := "{'descr': '" + dt.descr() + "', 'fortran_order': False, 'shape': " + ShapeString(shape) + ", }"
	if len(shape) > 0 {
		dict += strings.Repeat(" ", max(0, npyGrowthDigits-len(strconv.Itoa(shape[0]))))
	}
	hlen := len(dict) + 1 // + '\n'
	major, lenSize := byte(1), 2
	if 6+2+2+hlen+npyAlign > math.MaxUint16 {
		major, lenSize = 2, 4
	}
	pad := npyAlign - (6+2+lenSize+hlen)%npyAlign
	total := hlen + pad
	if int64(total) > math.MaxUint32 {
		return nil, fmt.Errorf(".npy header for shape %s is too long", ShapeString(shape))
	}
	b := make([]byte, 0, 6+2+lenSize+total)
	b = append(b, npyMagic...)
	b = append(b, major, 0)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(total))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(total))
	}
	b = append(b, dict...)
	for range pad {
		b = append(b, ' ')
	}
	b = append(b, '\n')
	return b, nil
}

// WriteNpy writes a to w in .npy format: C order, little-endian, dtype
// a.DType(), header version 1.0 unless the header needs 2.0, padded exactly
// as numpy pads it. Integer and bool values are checked against the dtype's
// range before anything is written, so an error leaves w untouched.
func WriteNpy(w io.Writer, a *Array) error {
	if err := writeNpy(w, a); err != nil {
		return fmt.Errorf("nd: %w", err)
	}
	return nil
}

func writeNpy(w io.Writer, a *Array) error {
	if a == nil {
		return errors.New("cannot write a nil *Array")
	}
	if int(a.dtype) >= len(dtypeNames) {
		return fmt.Errorf("cannot write an array of unknown dtype %s", a.dtype)
	}
	shape := a.Shape()
	if err := checkShape(shape, a.Size()); err != nil {
		return err
	}
	if err := checkRange(a); err != nil {
		return err
	}
	hdr, err := npyHeaderBytes(a.dtype, shape)
	if err != nil {
		return err
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	item := a.dtype.itemSize()
	per := npyChunk / item
	n := a.Size()
	buf := make([]byte, 0, min(n, per)*item)
	for lo := 0; lo < n; lo += per {
		hi := min(n, lo+per)
		b := buf[:0]
		switch a.dtype {
		case Float32:
			for _, v := range a.f32[lo:hi] {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
			}
		case Float16:
			for _, v := range a.f32[lo:hi] {
				b = binary.LittleEndian.AppendUint16(b, Float32ToFloat16(v))
			}
		case Float64:
			for _, v := range a.f64[lo:hi] {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			}
		default:
			switch item {
			case 1:
				for _, v := range a.i64[lo:hi] {
					b = append(b, byte(v))
				}
			case 2:
				for _, v := range a.i64[lo:hi] {
					b = binary.LittleEndian.AppendUint16(b, uint16(v))
				}
			case 4:
				for _, v := range a.i64[lo:hi] {
					b = binary.LittleEndian.AppendUint32(b, uint32(v))
				}
			default:
				for _, v := range a.i64[lo:hi] {
					b = binary.LittleEndian.AppendUint64(b, uint64(v))
				}
			}
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// checkRange reports the first integer or bool element that dt cannot hold.
func checkRange(a *Array) error {
	if a.dtype.storage() != Int64 {
		return nil
	}
	var lo, hi int64
	switch a.dtype {
	case Bool:
		lo, hi = 0, 1
	case Int8:
		lo, hi = math.MinInt8, math.MaxInt8
	case Int16:
		lo, hi = math.MinInt16, math.MaxInt16
	case Int32:
		lo, hi = math.MinInt32, math.MaxInt32
	case Int64:
		return nil
	case Uint8:
		lo, hi = 0, math.MaxUint8
	case Uint16:
		lo, hi = 0, math.MaxUint16
	case Uint32:
		lo, hi = 0, math.MaxUint32
	case Uint64:
		lo, hi = 0, math.MaxInt64
	}
	for i, v := range a.i64 {
		if v < lo || v > hi {
			return fmt.Errorf("cannot write %s: element %d is %d, outside %s's range [%d, %d]", a, i, v, a.dtype, lo, hi)
		}
	}
	return nil
}

// WriteNpyFile writes a to path in .npy format (see WriteNpy). The file is
// written atomically: to a temporary file in the same directory, synced,
// then renamed over path, so a failure leaves any old file untouched and no
// partial file behind.
func WriteNpyFile(path string, a *Array) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return writeNpy(w, a) }); err != nil {
		return fmt.Errorf("nd: writing %s: %w", path, err)
	}
	return nil
}

// Python literals in a .npy header. pyParser reads the subset of Python's
// literal syntax that headers use: dicts, tuples, lists, strings, ints
// (with Python 2's L suffix), True, False and None, with any whitespace and
// trailing commas.
type (
	pyDict  []pyKV
	pyKV    struct{ key, val any }
	pyTuple []any
	pyList  []any
	pyNone  struct{}
)

const maxPyDepth = 32

type pyParser struct {
	s     []byte
	i     int
	depth int
}

func pyTypeName(v any) string {
	switch v.(type) {
	case pyDict:
		return "dict"
	case pyTuple:
		return "tuple"
	case pyList:
		return "list"
	case string:
		return "string"
	case int64:
		return "int"
	case bool:
		return "bool"
	case pyNone:
		return "None"
	}
	return fmt.Sprintf("%T", v)
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case pyTuple, pyList:
		var elems []any
		open, close := "(", ")"
		if l, ok := x.(pyList); ok {
			elems, open, close = l, "[", "]"
		} else {
			elems = x.(pyTuple)
		}
		parts := make([]string, len(elems))
		for i, e := range elems {
			parts[i] = pyRepr(e)
		}
		s := open + strings.Join(parts, ", ")
		if open == "(" && len(elems) == 1 {
			s += ","
		}
		return s + close
	case string:
		return strconv.Quote(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case pyNone:
		return "None"
	}
	return pyTypeName(v)
}

// parse reads one value and then allows only trailing padding.
func (p *pyParser) parse() (any, error) {
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	for ; p.i < len(p.s); p.i++ {
		if c := p.s[p.i]; !isPySpace(c) && c != 0 {
			return nil, p.errorf("unexpected %q after the dict", c)
		}
	}
	return v, nil
}

func isPySpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func (p *pyParser) skipSpace() {
	for p.i < len(p.s) && isPySpace(p.s[p.i]) {
		p.i++
	}
}

func (p *pyParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: "+format, append([]any{p.i}, args...)...)
}

// peek skips whitespace and returns the next byte, or 0 at the end.
func (p *pyParser) peek() byte {
	p.skipSpace()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *pyParser) value() (any, error) {
	c := p.peek()
	switch {
	case p.i >= len(p.s):
		return nil, p.errorf("unexpected end of header, want a value")
	case c == '{':
		return p.dict()
	case c == '(' || c == '[':
		return p.sequence()
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c == '+' || (c >= '0' && c <= '9'):
		return p.integer()
	case c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z'):
		start := p.i
		for p.i < len(p.s) && (p.s[p.i] == '_' || p.s[p.i]|0x20 >= 'a' && p.s[p.i]|0x20 <= 'z' || p.s[p.i] >= '0' && p.s[p.i] <= '9') {
			p.i++
		}
		word := string(p.s[start:p.i])
		switch word {
		case "True":
			return true, nil
		case "False":
			return false, nil
		case "None":
			return pyNone{}, nil
		case "u", "U", "b", "B", "r", "R": // string prefixes
			if q := p.peekRaw(); q == '\'' || q == '"' {
				return p.str()
			}
		}
		p.i = start
		return nil, p.errorf("unexpected name %q, want a literal", word)
	}
	return nil, p.errorf("unexpected %q, want a value", c)
}

func (p *pyParser) peekRaw() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *pyParser) enter() error {
	p.depth++
	if p.depth > maxPyDepth {
		return p.errorf("nesting deeper than %d", maxPyDepth)
	}
	return nil
}

func (p *pyParser) dict() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.i++ // '{'
	var d pyDict
	for {
		if p.peek() == '}' {
			p.i++
			return d, nil
		}
		k, err := p.value()
		if err != nil {
			return nil, err
		}
		if p.peek() != ':' {
			return nil, p.errorf("want ':' after dict key %s, got %s", pyRepr(k), p.describeNext())
		}
		p.i++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		d = append(d, pyKV{k, v})
		switch p.peek() {
		case ',':
			p.i++
		case '}':
		default:
			return nil, p.errorf("want ',' or '}' in dict, got %s", p.describeNext())
		}
	}
}

func (p *pyParser) describeNext() string {
	if p.i >= len(p.s) {
		return "end of header"
	}
	return strconv.QuoteRune(rune(p.s[p.i]))
}

// sequence reads a tuple or list. A parenthesised value without a comma is
// that value, as in Python.
func (p *pyParser) sequence() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	open := p.s[p.i]
	close := byte(')')
	if open == '[' {
		close = ']'
	}
	p.i++
	var elems []any
	comma := false
	for {
		if p.peek() == close {
			p.i++
			break
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		elems = append(elems, v)
		switch p.peek() {
		case ',':
			p.i++
			comma = true
		case close:
		default:
			return nil, p.errorf("want ',' or %q, got %s", close, p.describeNext())
		}
	}
	if open == '[' {
		return pyList(elems), nil
	}
	if len(elems) == 1 && !comma {
		return elems[0], nil
	}
	return pyTuple(elems), nil
}

func (p *pyParser) str() (any, error) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == q:
			return b.String(), nil
		case c == '\n':
			return nil, p.errorf("newline in string literal")
		case c == '\\' && p.i < len(p.s):
			e := p.s[p.i]
			p.i++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'x':
				if p.i+2 <= len(p.s) {
					if v, err := strconv.ParseUint(string(p.s[p.i:p.i+2]), 16, 8); err == nil {
						b.WriteByte(byte(v))
						p.i += 2
						continue
					}
				}
				b.WriteString(`\x`)
			case '\\', '\'', '"':
				b.WriteByte(e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return nil, p.errorf("unterminated string literal")
}

func (p *pyParser) integer() (any, error) {
	start := p.i
	if c := p.s[p.i]; c == '-' || c == '+' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.s) && (p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '_') {
		p.i++
	}
	if p.i == digits {
		return nil, p.errorf("want digits after %q", p.s[start])
	}
	text := strings.ReplaceAll(string(p.s[start:p.i]), "_", "")
	if p.i < len(p.s) && (p.s[p.i] == 'L' || p.s[p.i] == 'l') {
		p.i++ // Python 2 long
	}
	if p.i < len(p.s) && (p.s[p.i] == '.' || p.s[p.i] == 'e' || p.s[p.i] == 'E' || p.s[p.i] == 'j') {
		return nil, p.errorf("non-integer number %q", string(p.s[start:p.i+1]))
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, p.errorf("integer %s out of range", string(p.s[start:p.i]))
	}
	return v, nil
}

// Float16ToFloat32 converts IEEE 754 half-precision bits to float32. The
// conversion is exact: subnormals, infinities and NaN payloads are kept.
func Float16ToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch exp {
	case 0:
		if man == 0 {
			return math.Float32frombits(sign)
		}
		f := float32(man) * (1.0 / (1 << 24)) // exact: man·2⁻²⁴ is a normal float32
		if sign != 0 {
			f = -f
		}
		return f
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
}

// Float32ToFloat16 converts f to IEEE 754 half-precision bits, rounding to
// nearest with ties to even as numpy does. Values beyond the float16 range
// become infinities, tiny values subnormals or zeros; NaNs stay NaN and keep
// the top bits of their payload.
func Float32ToFloat16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	man := b & 0x7fffff
	if exp == 0xff {
		if man == 0 {
			return sign | 0x7c00
		}
		m := uint16(man >> 13)
		if m == 0 {
			m = 0x200 // the payload was all in the low bits: keep it a NaN
		}
		return sign | 0x7c00 | m
	}
	e := exp - 127 + 15 // float16 biased exponent
	switch {
	case e >= 0x1f:
		return sign | 0x7c00
	case e <= 0:
		// A float16 subnormal (or zero): value = m·2⁻²⁴ with
		// m = (1.man)·2^(e-1+10) = M >> (14-e), M the 24-bit significand.
		if e < -10 {
			return sign // below half the smallest subnormal
		}
		M := man | 0x800000
		shift := uint32(14 - e)
		m := M >> shift
		rem := M & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && m&1 == 1) {
			m++ // may carry into the smallest normal, which is right
		}
		return sign | uint16(m)
	}
	h := uint32(e)<<10 | man>>13
	rem := man & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // may carry into the exponent, up to infinity, which is right
	}
	return sign | uint16(h)
}
