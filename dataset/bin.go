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
	var b *Bin
	st, err := f.Stat()
	if err == nil && st.Mode().IsRegular() && st.Size() <= maxBinSize {
		// Read into a buffer of the file's size: no growth, no copies.
		data := make([]byte, st.Size())
		if _, err := io.ReadFull(f, data); err != nil {
			return nil, fmt.Errorf("dataset: %s: %w", path, err)
		}
		b, err = readBinBytes(data)
	} else {
		b, err = ReadBin(f)
	}
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return b, nil
}

// ReadBin reads a .bin pickle from r. It accepts what insightface's loader
// accepts: the Python 2 protocol-2 files insightface distributes (images as
// str), Python 3 pickles of protocols 2 to 5 (images as bytes; protocol 2
// writes those as _codecs.encode(text, 'latin1'), which is decoded here — the
// "encoding='bytes'" problem of Python 3 users), bytearrays, and images
// pickled as 1-D uint8 numpy arrays (build_eval_pack.py). The structure is
// validated: a 2-tuple (or list) of a list of 2·P images and a list of P
// bools (or 0/1 integers).
//
// Reading takes time linear in the input and memory of a small multiple of
// it: the images share the input's memory (an image referenced several
// times is one buffer), and pickle features a .bin does not use — objects,
// globals other than those above, integers of more than 4,300 digits — are
// refused with an error naming the opcode and its offset.
func ReadBin(r io.Reader) (*Bin, error) {
	var buf bytes.Buffer
	if l, ok := r.(interface{ Len() int }); ok && l.Len() <= maxBinSize {
		buf.Grow(l.Len() + bytes.MinRead) // bytes.Reader and the like: no regrowth
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, maxBinSize+1)); err != nil {
		return nil, err
	}
	return readBinBytes(buf.Bytes())
}

func readBinBytes(data []byte) (*Bin, error) {
	if len(data) > maxBinSize {
		return nil, fmt.Errorf("bin: larger than %d bytes", maxBinSize)
	}
	v, err := unpickle(data)
	if err != nil {
		return nil, fmt.Errorf("bin: %w", err)
	}
	return binFromValue(v)
}

func asBytes(v any) ([]byte, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case *npArray:
		return x.data, x.data != nil
	}
	return nil, false
}

func asSlice(v any) ([]any, bool) {
	switch x := v.(type) {
	case *pyList:
		return x.items, true
	case pyTuple:
		return x, true
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
		case int64:
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
	case *pyList:
		return fmt.Sprintf("a list of %d", len(x.items))
	case pyTuple:
		return fmt.Sprintf("a tuple of %d", len(x))
	case *pyText:
		return "str"
	case []byte:
		return "bytes"
	case bool:
		return "bool"
	case int64, pyBigInt:
		return "int"
	case float64:
		return "float"
	case *pyDict:
		return "a dict"
	case *pyGlobal:
		return "the global " + x.module + "." + x.name
	case *npDtype:
		return "a numpy dtype"
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
