package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/jpeg" // .bin images are JPEG, sometimes PNG
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// Bin is an insightface face-verification .bin file (lfw.bin, cfp_fp.bin,
// agedb_30.bin, …): a pickle of the pair (bins, issame_list). Images 2i and
// 2i+1 form pair i; Issame[i] tells whether they show the same person.
type Bin struct {
	// Images holds the encoded images (JPEG bytes of aligned 112×112
	// faces in the distributed files), two per pair.
	Images [][]byte
	// Issame labels each pair.
	Issame []bool
}

// maxBinSize bounds the .bin files ReadBin accepts (the largest distributed
// one, cfp_fp.bin, is about 100 MB).
const maxBinSize = 4 << 30

// ReadBinFile reads an insightface .bin file; see ReadBin.
func ReadBinFile(path string) (*Bin, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: nothing to lose
	b, err := ReadBin(f)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return b, nil
}

// ReadBin reads a .bin pickle from r. It accepts what insightface's loader
// accepts: the Python 2 protocol-2 files insightface distributes (images as
// str), Python 3 pickles of protocols 2 to 5 (images as bytes; protocol 2
// writes those as _codecs.encode(text, 'latin1'), which is decoded here — the
// "encoding='bytes'" problem of Python 3 users), and bytearrays. Images
// pickled as numpy arrays (build_eval_pack.py) are rejected with an error
// naming the image. The structure is validated: a 2-tuple (or list) of a
// list of 2·P images and a list of P bools (or 0/1 integers).
func ReadBin(r io.Reader) (*Bin, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBinSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxBinSize {
		return nil, fmt.Errorf("bin: larger than %d bytes", maxBinSize)
	}
	v, err := unpickle(data)
	if err != nil {
		return nil, fmt.Errorf("bin: %w", err)
	}
	return binFromValue(v)
}

// unpickle loads a pickle with gopickle after checking that every length
// and line argument fits in data, so that no opcode can make the unpickler
// allocate more than the input holds.
func unpickle(data []byte) (v any, err error) {
	if err := scanPickle(data); err != nil {
		return nil, err
	}
	u := pickle.NewUnpickler(bytes.NewReader(data))
	u.FindClass = findClass
	// gopickle is not hardened against every malformed stream; a defect
	// there must surface as an error, not crash a caller reading user files.
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, fmt.Errorf("malformed pickle (%v)", p)
		}
	}()
	return u.Load()
}

// findClass resolves the globals a .bin pickle may name: _codecs.encode
// (how Python 3 writes bytes at protocol 2), bytes/bytearray (empty bytes),
// and numpy's array reconstruction (build_eval_pack.py stores the uint8
// arrays of cv2.imencode). Anything else becomes a generic class gopickle can
// hold but not call, which binFromValue rejects.
func findClass(module, name string) (any, error) {
	switch {
	case module == "_codecs" && name == "encode":
		return codecsEncode{}, nil
	case (module == "__builtin__" || module == "builtins") && (name == "bytes" || name == "bytearray"):
		return bytesCtor{}, nil
	case (module == "numpy.core.multiarray" || module == "numpy._core.multiarray") && name == "_reconstruct":
		return npReconstruct{}, nil
	case module == "numpy" && name == "dtype":
		return npDtypeCtor{}, nil
	}
	return types.NewGenericClass(module, name), nil
}

// npReconstruct is numpy.core.multiarray._reconstruct: an empty array whose
// BUILD state carries shape, dtype and raw data.
type npReconstruct struct{}

// Call returns an empty array for BUILD to fill.
func (npReconstruct) Call(args ...any) (any, error) { return &npArray{}, nil }

// npArray keeps a pickled numpy array when it is a 1-D (or N × 1) uint8 or
// int8 array — the encoded image bytes of cv2.imencode.
type npArray struct {
	data []byte
	desc string
}

// PySetState takes ndarray.__reduce__'s state (version, shape, dtype,
// is_fortran, rawdata).
func (a *npArray) PySetState(state any) error {
	t, ok := state.(*types.Tuple)
	if !ok || len(*t) != 5 {
		return fmt.Errorf("numpy array state is %s, want a 5-tuple", pyDescribe(state))
	}
	dt, _ := (*t)[2].(*npDtype)
	shape, _ := asSlice((*t)[1])
	a.desc = "a numpy array"
	if dt == nil || (dt.name != "u1" && dt.name != "uint8" && dt.name != "i1" && dt.name != "int8") {
		a.desc = "a numpy array of a non-byte dtype"
		return nil
	}
	if len(shape) != 1 && !(len(shape) == 2 && shape[1] == 1) {
		a.desc = "a numpy array that is not 1-D"
		return nil
	}
	if data, ok := asBytes((*t)[4]); ok {
		a.data = data
	}
	return nil
}

// npDtypeCtor is numpy.dtype(name, align, copy).
type npDtypeCtor struct{}

// Call returns the dtype named by the first argument.
func (npDtypeCtor) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("numpy.dtype() without arguments")
	}
	name, _ := args[0].(string)
	return &npDtype{name: name}, nil
}

type npDtype struct{ name string }

// PySetState accepts (and ignores) the dtype's byte-order state.
func (*npDtype) PySetState(any) error { return nil }

// codecsEncode is _codecs.encode(text, encoding) for latin-1, the encoding
// Python 3 uses to pickle bytes at protocol 2.
type codecsEncode struct{}

// Call encodes the text argument to latin-1 bytes.
func (codecsEncode) Call(args ...any) (any, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, fmt.Errorf("_codecs.encode takes 1 or 2 arguments, got %d", len(args))
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("_codecs.encode of %T", args[0])
	}
	if len(args) == 2 {
		enc, _ := args[1].(string)
		switch strings.ToLower(strings.ReplaceAll(enc, "-", "")) {
		case "latin1", "iso88591", "l1":
		default:
			return nil, fmt.Errorf("_codecs.encode with encoding %q (want latin1)", enc)
		}
	}
	out := make([]byte, 0, len(s))
	for _, c := range s {
		if c > 0xff {
			return nil, fmt.Errorf("_codecs.encode: character %U is not latin-1", c)
		}
		out = append(out, byte(c))
	}
	return out, nil
}

// bytesCtor is bytes() / bytearray() with no argument or a bytes argument.
type bytesCtor struct{}

// Call returns empty bytes, or its bytes argument.
func (bytesCtor) Call(args ...any) (any, error) {
	switch len(args) {
	case 0:
		return []byte{}, nil
	case 1:
		if b, ok := asBytes(args[0]); ok {
			return b, nil
		}
	}
	return nil, fmt.Errorf("bytes() with arguments %v", args)
}

func asBytes(v any) ([]byte, bool) {
	switch x := v.(type) {
	case string: // Python 2 str
		return []byte(x), true
	case []byte:
		return x, true
	case *types.ByteArray:
		return []byte(*x), true
	case *npArray:
		return x.data, x.data != nil
	}
	return nil, false
}

func asSlice(v any) ([]any, bool) {
	switch x := v.(type) {
	case *types.List:
		return *x, true
	case *types.Tuple:
		return *x, true
	}
	return nil, false
}

func binFromValue(v any) (*Bin, error) {
	top, ok := asSlice(v)
	if !ok || len(top) != 2 {
		return nil, fmt.Errorf("bin: want a pickled (images, issame) pair, got %s", pyDescribe(v))
	}
	imgs, ok := asSlice(top[0])
	if !ok {
		return nil, fmt.Errorf("bin: images must be a list, got %s", pyDescribe(top[0]))
	}
	labels, ok := asSlice(top[1])
	if !ok {
		return nil, fmt.Errorf("bin: issame must be a list, got %s", pyDescribe(top[1]))
	}
	if len(imgs) != 2*len(labels) {
		return nil, fmt.Errorf("bin: %d images for %d issame labels; want 2 images per pair", len(imgs), len(labels))
	}
	b := &Bin{Images: make([][]byte, len(imgs)), Issame: make([]bool, len(labels))}
	for i, x := range imgs {
		data, ok := asBytes(x)
		if !ok {
			return nil, fmt.Errorf("bin: image %d is %s, want encoded image bytes", i, pyDescribe(x))
		}
		b.Images[i] = data
	}
	for i, x := range labels {
		switch l := x.(type) {
		case bool:
			b.Issame[i] = l
		case int:
			if l != 0 && l != 1 {
				return nil, fmt.Errorf("bin: issame %d is %d, want a bool or 0/1", i, l)
			}
			b.Issame[i] = l == 1
		default:
			return nil, fmt.Errorf("bin: issame %d is %s, want a bool", i, pyDescribe(x))
		}
	}
	return b, nil
}

// pyDescribe names a decoded pickle value's Python type for error messages.
func pyDescribe(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case *types.List:
		return fmt.Sprintf("a list of %d", len(*x))
	case *types.Tuple:
		return fmt.Sprintf("a tuple of %d", len(*x))
	case string:
		return "str"
	case []byte:
		return "bytes"
	case bool:
		return "bool"
	case int:
		return "int"
	case float64:
		return "float"
	case *types.Dict:
		return "a dict"
	case *types.GenericObject:
		return "an object of class " + x.Class.Module + "." + x.Class.Name
	case *types.GenericClass:
		return "the class " + x.Module + "." + x.Name
	case *npArray:
		return x.desc
	}
	return fmt.Sprintf("%T", v)
}

// Pairs returns the number of pairs.
func (b *Bin) Pairs() int { return len(b.Issame) }

// Decode decodes image i (JPEG or PNG) and returns it with its format name.
// Pixel values may differ slightly from OpenCV's decoder (libjpeg's fancy
// upsampling): compare results from embeddings, not pixels.
func (b *Bin) Decode(i int) (image.Image, string, error) {
	if i < 0 || i >= len(b.Images) {
		return nil, "", fmt.Errorf("bin: image %d out of range [0, %d)", i, len(b.Images))
	}
	img, format, err := image.Decode(bytes.NewReader(b.Images[i]))
	if err != nil {
		return nil, "", fmt.Errorf("bin: image %d: %w", i, err)
	}
	return img, format, nil
}

// ExportImages writes every image into dir as it is stored (no
// re-encoding), named 000000.jpg, 000001.png, … by row, after checking
// that it decodes, plus images.txt (the file names, one per line, in row
// order) and issame.txt (one 0/1 per pair). Embed the images in that order
// with your own model, save the embeddings as an N × D .npy, and run
// `evalkit verify --embeddings emb.npy --issame dir/issame.txt`. Each file
// is written atomically.
func (b *Bin) ExportImages(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	names := make([]string, len(b.Images))
	for i, data := range b.Images {
		_, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("dataset: bin image %d: %w", i, err)
		}
		ext := "." + format
		if format == "jpeg" {
			ext = ".jpg"
		}
		names[i] = fmt.Sprintf("%06d%s", i, ext)
		if err := writeFileAtomic(filepath.Join(dir, names[i]), func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		}); err != nil {
			return nil, err
		}
	}
	if err := writeFileAtomic(filepath.Join(dir, "images.txt"), func(w io.Writer) error {
		for _, n := range names {
			if _, err := io.WriteString(w, n+"\n"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, "issame.txt"), func(w io.Writer) error {
		return WriteIssameText(w, b.Issame)
	}); err != nil {
		return nil, err
	}
	return names, nil
}

// WriteBin writes b as insightface's Python 2 tools did: a protocol-2
// pickle of (list of str, list of bool), images as SHORT_BINSTRING or
// BINSTRING, items appended in batches of 1000, every container memoised.
// Python's pickle.load(f, encoding='bytes') reads it back.
func WriteBin(w io.Writer, b *Bin) error {
	if len(b.Images) != 2*len(b.Issame) {
		return fmt.Errorf("dataset: %d images for %d pairs; want 2 per pair", len(b.Images), len(b.Issame))
	}
	var buf bytes.Buffer
	memo := 0
	put := func() {
		if memo < 256 {
			buf.Write([]byte{'q', byte(memo)})
		} else {
			buf.WriteByte('r')
			buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(memo)))
		}
		memo++
	}
	buf.Write([]byte{0x80, 2})
	list := func(n int, item func(i int)) {
		buf.WriteByte(']')
		put()
		for s := 0; s < n; s += 1000 {
			e := min(s+1000, n)
			if e-s == 1 {
				item(s)
				buf.WriteByte('a')
				continue
			}
			buf.WriteByte('(')
			for i := s; i < e; i++ {
				item(i)
			}
			buf.WriteByte('e')
		}
	}
	list(len(b.Images), func(i int) {
		img := b.Images[i]
		if len(img) < 256 {
			buf.Write([]byte{'U', byte(len(img))})
		} else {
			buf.WriteByte('T')
			buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(img))))
		}
		buf.Write(img)
		put()
	})
	list(len(b.Issame), func(i int) {
		if b.Issame[i] {
			buf.WriteByte(0x88)
		} else {
			buf.WriteByte(0x89)
		}
	})
	buf.WriteByte(0x86) // TUPLE2
	put()
	buf.WriteByte('.')
	_, err := w.Write(buf.Bytes())
	return err
}

// scanPickle walks the opcodes of a pickle up to STOP and checks that every
// argument — fixed-size, counted (strings, bytes, longs, frames) or
// newline-terminated — lies within data. It knows every opcode of protocols
// 0 to 5 (Python's pickletools) and rejects unknown ones.
func scanPickle(data []byte) error {
	pos := 0
	need := func(n uint64, op byte) error {
		if n > uint64(len(data)-pos) {
			return fmt.Errorf("pickle opcode 0x%02x at offset %d needs %d bytes, %d left", op, pos-1, n, len(data)-pos)
		}
		pos += int(n)
		return nil
	}
	counted := func(width int, op byte) error {
		if err := need(uint64(width), op); err != nil {
			return err
		}
		b := data[pos-width : pos]
		var n uint64
		switch width {
		case 1:
			n = uint64(b[0])
		case 4:
			n = uint64(binary.LittleEndian.Uint32(b))
			if (op == 'T' || op == 0x8b) && int32(n) < 0 {
				return fmt.Errorf("pickle opcode 0x%02x at offset %d has negative length", op, pos-width-1)
			}
		case 8:
			n = binary.LittleEndian.Uint64(b)
		}
		return need(n, op)
	}
	line := func(op byte) error {
		i := bytes.IndexByte(data[pos:], '\n')
		if i < 0 {
			return fmt.Errorf("pickle opcode 0x%02x at offset %d: missing end of line", op, pos-1)
		}
		pos += i + 1
		return nil
	}
	for pos < len(data) {
		op := data[pos]
		pos++
		var err error
		switch op {
		case '.':
			return nil
		case '(', '0', '1', '2', 'N', ')', ']', '}', 'a', 'e', 'b', 'd', 'l', 'o', 'R', 's', 'u', 't', 'Q',
			0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x97, 0x98:
		case 0x80, 'K', 'h', 'q', 0x82:
			err = need(1, op)
		case 'M', 0x83:
			err = need(2, op)
		case 'J', 'j', 'r', 0x84:
			err = need(4, op)
		case 'G':
			err = need(8, op)
		case 0x95: // FRAME: its contents are scanned as opcodes
			if err = need(8, op); err == nil {
				n := binary.LittleEndian.Uint64(data[pos-8 : pos])
				if n > uint64(len(data)-pos) {
					err = fmt.Errorf("pickle frame at offset %d needs %d bytes, %d left", pos-9, n, len(data)-pos)
				}
			}
		case 0x8a, 'U', 'C', 0x8c:
			err = counted(1, op)
		case 0x8b, 'T', 'B', 'X':
			err = counted(4, op)
		case 0x8e, 0x8d, 0x96:
			err = counted(8, op)
		case 'I', 'L', 'F', 'S', 'V', 'p', 'g', 'P':
			err = line(op)
		case 'c', 'i':
			if err = line(op); err == nil {
				err = line(op)
			}
		default:
			return fmt.Errorf("unknown pickle opcode 0x%02x at offset %d", op, pos-1)
		}
		if err != nil {
			return err
		}
	}
	return fmt.Errorf("pickle ends without STOP after %d bytes", len(data))
}
