package onnxpb

import (
	"bytes"
	"testing"
)

// TestAttributeBytes checks the wire bytes worked by hand from onnx.proto:
// name = 1 (length-delimited), f = 2 (fixed32), i = 3 and ints = 8
// (varints, proto2: unpacked), type = 20 (varint; tag 20<<3 = 0xa0 0x01).
func TestAttributeBytes(t *testing.T) {
	for _, c := range []struct {
		name string
		a    Attribute
		want []byte
	}{
		{"ints", Attribute{Name: "axes", Ints: []int64{1, 300}},
			[]byte{0x0a, 4, 'a', 'x', 'e', 's', 0x40, 1, 0x40, 0xac, 0x02, 0xa0, 0x01, 7}},
		{"negative int", Attribute{Name: "k", Int: -1},
			[]byte{0x0a, 1, 'k', 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0xa0, 0x01, 2}},
		{"float", Attribute{Name: "alpha", Float: 1, IsFloat: true},
			[]byte{0x0a, 5, 'a', 'l', 'p', 'h', 'a', 0x15, 0, 0, 0x80, 0x3f, 0xa0, 0x01, 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.a.encode(); !bytes.Equal(got, c.want) {
				t.Errorf("encode = % x, want % x", got, c.want)
			}
		})
	}
}
