package fit

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"slices"
)

// The SGD state format: the magic "evalkit-sgd\x00", a little-endian uint32
// version (1), the learning rate as a float64, a uint32 count of momentum
// buffers, then each buffer in ascending name order: a uint32 name length,
// the name, a uint64 element count and the float32 elements. Everything is
// little-endian; nothing follows the last buffer.
const sgdMagic = "evalkit-sgd\x00"

func encodeSGDState(lr float64, mom map[string][]float32) []byte {
	names := make([]string, 0, len(mom))
	size := len(sgdMagic) + 4 + 8 + 4
	for n, v := range mom {
		names = append(names, n)
		size += 4 + len(n) + 8 + 4*len(v)
	}
	slices.Sort(names)
	b := make([]byte, 0, size)
	b = append(b, sgdMagic...)
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(lr))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(names)))
	for _, n := range names {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(n)))
		b = append(b, n...)
		b = binary.LittleEndian.AppendUint64(b, uint64(len(mom[n])))
		for _, x := range mom[n] {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
	}
	return b
}

// sgdReader reads the fields of an SGD state, failing on the first short
// read.
type sgdReader struct {
	b   []byte
	err error
}

func (r *sgdReader) take(n uint64, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("%s needs %d bytes, %d left", what, n, len(r.b))
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *sgdReader) u32(what string) uint32 {
	if b := r.take(4, what); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *sgdReader) u64(what string) uint64 {
	if b := r.take(8, what); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func decodeSGDState(data []byte) (float64, map[string][]float32, error) {
	if !bytes.HasPrefix(data, []byte(sgdMagic)) {
		return decodeGobSGDState(data)
	}
	r := &sgdReader{b: data[len(sgdMagic):]}
	if v := r.u32("version"); r.err == nil && v != 1 {
		return 0, nil, fmt.Errorf("version %d, this evalkit reads version 1", v)
	}
	lr := math.Float64frombits(r.u64("learning rate"))
	n := r.u32("buffer count")
	if r.err != nil {
		return 0, nil, r.err
	}
	if math.IsNaN(lr) || lr < 0 {
		return 0, nil, fmt.Errorf("learning rate %v", lr)
	}
	var mom map[string][]float32
	if n > 0 {
		mom = make(map[string][]float32, min(n, 1024))
	}
	prev := ""
	for i := uint32(0); i < n; i++ {
		name := string(r.take(uint64(r.u32("name length")), "name"))
		count := r.u64("element count")
		if r.err != nil {
			return 0, nil, fmt.Errorf("buffer %d of %d: %w", i, n, r.err)
		}
		if i > 0 && name <= prev {
			return 0, nil, fmt.Errorf("buffer %q after %q: names must ascend", name, prev)
		}
		if count > uint64(len(r.b))/4 {
			return 0, nil, fmt.Errorf("buffer %q has %d elements but %d bytes are left", name, count, len(r.b))
		}
		raw := r.take(4*count, "elements")
		v := make([]float32, count)
		for j := range v {
			v[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
		}
		mom[name] = v
		prev = name
	}
	if len(r.b) != 0 {
		return 0, nil, fmt.Errorf("%d bytes after the last buffer", len(r.b))
	}
	return lr, mom, nil
}

// gobSGDState is the state as evalkit's first releases wrote it.
type gobSGDState struct {
	LR  float64
	Mom map[string][]float32
}

func decodeGobSGDState(data []byte) (float64, map[string][]float32, error) {
	var st gobSGDState
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&st); err != nil {
		return 0, nil, errors.Join(fmt.Errorf("not an evalkit SGD state (no %q magic) nor an older gob one", sgdMagic), err)
	}
	if math.IsNaN(st.LR) || st.LR < 0 {
		return 0, nil, fmt.Errorf("learning rate %v", st.LR)
	}
	return st.LR, st.Mom, nil
}
