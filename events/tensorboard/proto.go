package tensorboard

import (
	"encoding/binary"
	"math"
)

// Scalar is one summary value: a tag and its simple_value.
type Scalar struct {
	Tag   string
	Value float32
}

// Field numbers and wire types of TensorBoard's event.proto and
// summary.proto used here.
const (
	eventWallTime    = 1<<3 | 1 // double wall_time = 1
	eventStep        = 2 << 3   // int64 step = 2 (wire type 0, varint)
	eventFileVersion = 3<<3 | 2 // string file_version = 3
	eventSummary     = 5<<3 | 2 // Summary summary = 5
	summaryValue     = 1<<3 | 2 // repeated Summary.Value value = 1
	valueTag         = 1<<3 | 2 // string tag = 1
	valueSimple      = 2<<3 | 5 // float simple_value = 2
)

// AppendVersionEvent appends the serialised first Event of a file:
// wall_time and file_version "brain.Event:2".
func AppendVersionEvent(dst []byte, wallTime float64) []byte {
	dst = appendDouble(dst, eventWallTime, wallTime)
	return appendBytes(dst, eventFileVersion, []byte("brain.Event:2"))
}

// AppendScalarEvent appends a serialised Event with wall_time, step and a
// summary of the scalars, in protobuf's canonical serialisation (field
// order, zero step left out).
func AppendScalarEvent(dst []byte, wallTime float64, step int64, scalars []Scalar) []byte {
	dst = appendDouble(dst, eventWallTime, wallTime)
	if step != 0 { // proto3 leaves out a zero scalar
		dst = binary.AppendUvarint(append(dst, eventStep), uint64(step))
	}
	size := 0
	for _, s := range scalars {
		v := valueSize(s)
		size += 1 + uvarintLen(uint64(v)) + v
	}
	dst = binary.AppendUvarint(append(dst, eventSummary), uint64(size))
	for _, s := range scalars {
		dst = binary.AppendUvarint(append(dst, summaryValue), uint64(valueSize(s)))
		dst = appendBytes(dst, valueTag, []byte(s.Tag))
		dst = binary.LittleEndian.AppendUint32(append(dst, valueSimple), math.Float32bits(s.Value))
	}
	return dst
}

func valueSize(s Scalar) int { return 1 + uvarintLen(uint64(len(s.Tag))) + len(s.Tag) + 1 + 4 }

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func appendDouble(dst []byte, key byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(append(dst, key), math.Float64bits(v))
}

func appendBytes(dst []byte, key byte, b []byte) []byte {
	dst = binary.AppendUvarint(append(dst, key), uint64(len(b)))
	return append(dst, b...)
}
