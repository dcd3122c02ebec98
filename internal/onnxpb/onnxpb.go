// Package onnxpb writes ONNX model files: the few protobuf messages of
// onnx.proto a plain feed-forward graph needs (ModelProto, GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto), encoded by hand
// with no protobuf dependency. Fields are written in field-number order, as
// the protobuf library serialises them, so a model built here has the same
// bytes as the one onnx.helper builds from the same values.
package onnxpb

import (
	"encoding/binary"
	"math"
)

// buf is a protobuf message under construction.
type buf []byte

func (b *buf) varint(v uint64) { *b = binary.AppendUvarint(*b, v) }

func (b *buf) tag(field, wire int) { b.varint(uint64(field)<<3 | uint64(wire)) }

// int64 writes a varint field (int64 and enum fields; negative values
// take ten bytes, as in protobuf).
func (b *buf) int64(field int, v int64) {
	b.tag(field, 0)
	b.varint(uint64(v))
}

func (b *buf) bytes(field int, v []byte) {
	b.tag(field, 2)
	b.varint(uint64(len(v)))
	*b = append(*b, v...)
}

func (b *buf) string(field int, v string) { b.bytes(field, []byte(v)) }

func (b *buf) float32(field int, v float32) {
	b.tag(field, 5)
	*b = binary.LittleEndian.AppendUint32(*b, math.Float32bits(v))
}

// DataType values of TensorProto.
const (
	Float = 1
)

// Tensor is a float32 TensorProto (an initializer), stored as raw_data.
type Tensor struct {
	Name string
	Dims []int64
	Data []float32
}

func (t Tensor) encode() []byte {
	var b buf
	for _, d := range t.Dims {
		b.int64(1, d)
	}
	b.int64(2, Float)
	b.string(8, t.Name)
	raw := make([]byte, 0, 4*len(t.Data))
	for _, v := range t.Data {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
	}
	b.bytes(9, raw)
	return b
}

// Attribute is a NodeProto attribute holding one int, one float or a list
// of ints.
type Attribute struct {
	Name  string
	Int   int64
	Float float32
	Ints  []int64
	// IsFloat selects Float (AttributeProto.FLOAT) over Int (INT); a
	// non-nil Ints selects INTS.
	IsFloat bool
}

func (a Attribute) encode() []byte {
	var b buf
	b.string(1, a.Name)
	switch {
	case a.Ints != nil:
		for _, v := range a.Ints { // proto2: not packed
			b.int64(8, v)
		}
		b.int64(20, 7)
	case a.IsFloat:
		b.float32(2, a.Float)
		b.int64(20, 1)
	default:
		b.int64(3, a.Int)
		b.int64(20, 2)
	}
	return b
}

// Node is a NodeProto in the default (ai.onnx) domain.
type Node struct {
	Inputs, Outputs []string
	Name, OpType    string
	Attributes      []Attribute
}

func (n Node) encode() []byte {
	var b buf
	for _, s := range n.Inputs {
		b.string(1, s)
	}
	for _, s := range n.Outputs {
		b.string(2, s)
	}
	b.string(3, n.Name)
	b.string(4, n.OpType)
	for _, a := range n.Attributes {
		b.bytes(5, a.encode())
	}
	return b
}

// ValueInfo is a graph input or output: a float32 tensor whose dimensions
// are sizes, or, where DimParams names one, symbolic (e.g. "batch").
type ValueInfo struct {
	Name      string
	Dims      []int64
	DimParams []string
}

func (v ValueInfo) encode() []byte {
	var shape buf
	for i, d := range v.Dims {
		var dim buf
		if i < len(v.DimParams) && v.DimParams[i] != "" {
			dim.string(2, v.DimParams[i])
		} else {
			dim.int64(1, d)
		}
		shape.bytes(1, dim)
	}
	var tensor buf
	tensor.int64(1, Float)
	tensor.bytes(2, shape)
	var typ buf
	typ.bytes(1, tensor)
	var b buf
	b.string(1, v.Name)
	b.bytes(2, typ)
	return b
}

// Graph is a GraphProto.
type Graph struct {
	Nodes        []Node
	Name         string
	Initializers []Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
}

func (g Graph) encode() []byte {
	var b buf
	for _, n := range g.Nodes {
		b.bytes(1, n.encode())
	}
	b.string(2, g.Name)
	for _, t := range g.Initializers {
		b.bytes(5, t.encode())
	}
	for _, v := range g.Inputs {
		b.bytes(11, v.encode())
	}
	for _, v := range g.Outputs {
		b.bytes(12, v.encode())
	}
	return b
}

// Model is a ModelProto importing one version of the default operator set.
type Model struct {
	IRVersion       int64
	ProducerName    string
	ProducerVersion string
	Graph           Graph
	Opset           int64
}

// Marshal returns the model's protobuf encoding: the bytes of an .onnx
// file.
func (m Model) Marshal() []byte {
	var b buf
	b.int64(1, m.IRVersion)
	if m.ProducerName != "" {
		b.string(2, m.ProducerName)
	}
	if m.ProducerVersion != "" {
		b.string(3, m.ProducerVersion)
	}
	b.bytes(7, m.Graph.encode())
	var opset buf
	opset.string(1, "")
	opset.int64(2, m.Opset)
	b.bytes(8, opset)
	return b
}
