package fit

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestSGDStateBytes checks the format against bytes built by hand, and that
// the same state always encodes the same (gob's map order did not).
func TestSGDStateBytes(t *testing.T) {
	mom := map[string][]float32{"fc_weight": {2, -3}, "bias": {1}}
	var want []byte
	want = append(want, "evalkit-sgd\x00"...)
	want = append(want, 1, 0, 0, 0)                      // version
	want = append(want, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f)    // 0.5
	want = append(want, 2, 0, 0, 0)                      // buffers
	want = append(want, 4, 0, 0, 0, 'b', 'i', 'a', 's')  // "bias" first
	want = append(want, 1, 0, 0, 0, 0, 0, 0, 0)          // 1 element
	want = append(want, 0, 0, 0x80, 0x3f)                // 1.0
	want = append(want, 9, 0, 0, 0)                      // "fc_weight"
	want = append(want, "fc_weight"...)                  //
	want = append(want, 2, 0, 0, 0, 0, 0, 0, 0)          // 2 elements
	want = append(want, 0, 0, 0, 0x40, 0, 0, 0x40, 0xc0) // 2.0, -3.0
	for i := 0; i < 20; i++ {
		if got := encodeSGDState(0.5, mom); !bytes.Equal(got, want) {
			t.Fatalf("encoding %d:\n got % x\nwant % x", i, got, want)
		}
	}
	lr, got, err := decodeSGDState(want)
	if err != nil || lr != 0.5 || !maps.EqualFunc(got, mom, slices.Equal) {
		t.Fatalf("decode: %v %v %v", lr, got, err)
	}
	if lr, got, err := decodeSGDState(encodeSGDState(0.25, nil)); err != nil || lr != 0.25 || got != nil {
		t.Errorf("empty state: %v %v %v", lr, got, err)
	}
}

// TestSGDStateLegacyGob reads a state as the first releases wrote it.
func TestSGDStateLegacyGob(t *testing.T) {
	var b bytes.Buffer
	mom := map[string][]float32{"w": {1.5, 2}}
	if err := gob.NewEncoder(&b).Encode(gobSGDState{LR: 0.1, Mom: mom}); err != nil {
		t.Fatal(err)
	}
	s := NewSGD(1)
	if err := s.UnmarshalBinary(b.Bytes()); err != nil || s.LR != 0.1 || !maps.EqualFunc(s.mom, mom, slices.Equal) {
		t.Fatalf("legacy gob state: %v %+v", err, s)
	}
}

func TestSGDStateErrors(t *testing.T) {
	good := encodeSGDState(0.5, map[string][]float32{"a": {1}, "b": {2, 3}})
	swapped := slices.Clone(good)
	// rename "a" to "c": names then descend
	swapped[len(sgdMagic)+4+8+4+4] = 'c'
	badVersion := slices.Clone(good)
	badVersion[len(sgdMagic)] = 2
	nanLR := slices.Clone(good)
	binary.LittleEndian.PutUint64(nanLR[len(sgdMagic)+4:], math.Float64bits(math.NaN()))
	huge := slices.Clone(good)
	binary.LittleEndian.PutUint64(huge[len(sgdMagic)+4+8+4+4+1:], 1<<60)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)-3], "bytes are left"},
		{"trailing", append(slices.Clone(good), 0), "1 bytes after the last buffer"},
		{"unsorted", swapped, "names must ascend"},
		{"version", badVersion, "version 2"},
		{"nan", nanLR, "learning rate NaN"},
		{"huge count", huge, "1152921504606846976 elements"},
		{"junk", []byte("junk"), "nor an older gob one"},
		{"header only", good[:len(sgdMagic)+2], "version needs 4 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := NewSGD(1).UnmarshalBinary(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
			}
		})
	}
}

// FuzzSGDState: decoding never panics, and what decodes re-encodes to a
// state that decodes the same.
func FuzzSGDState(f *testing.F) {
	f.Add(encodeSGDState(0.5, map[string][]float32{"a": {1}, "b": {2, 3}}))
	f.Add(encodeSGDState(0, nil))
	f.Add([]byte("evalkit-sgd\x00\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lr, mom, err := decodeSGDState(data)
		if err != nil {
			return
		}
		lr2, mom2, err := decodeSGDState(encodeSGDState(lr, mom))
		if err != nil || math.Float64bits(lr2) != math.Float64bits(lr) || len(mom2) != len(mom) {
			t.Fatalf("round trip: %v %v %v -> %v %v", lr, mom, err, lr2, mom2)
		}
		for n, v := range mom {
			if !slices.EqualFunc(v, mom2[n], func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
				t.Fatalf("buffer %q: %v -> %v", n, v, mom2[n])
			}
		}
	})
}
