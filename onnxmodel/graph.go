package onnxmodel

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Node is a node of an ONNX graph as the file names it.
type Node struct {
	Name, OpType string
}

// maxNodes bounds how many leading nodes graphNodes returns.
const maxNodes = 8

// graphNodes reads the names and operator types of the first n nodes of a
// serialised ONNX ModelProto (field 7 graph → GraphProto field 1 node →
// NodeProto fields 3 name and 4 op_type), with a minimal protobuf wire
// reader: ONNX Runtime's C API does not expose the graph's nodes, and
// insightface decides its preprocessing from their names. It fails when the
// bytes are not a ModelProto with a graph.
func graphNodes(model []byte, n int) ([]Node, error) {
	var graph []byte
	sawIR := false
	err := scanFields(model, func(field int, wire int, v uint64, b []byte) error {
		switch {
		case field == 1 && wire == 0:
			sawIR = true
		case field == 7 && wire == 2:
			graph = b
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !sawIR || graph == nil {
		return nil, errors.New("no ir_version and graph fields: not an ONNX ModelProto")
	}
	var nodes []Node
	err = scanFields(graph, func(field int, wire int, _ uint64, b []byte) error {
		if field != 1 || wire != 2 || len(nodes) >= n {
			return nil
		}
		var nd Node
		if err := scanFields(b, func(f int, w int, _ uint64, s []byte) error {
			switch {
			case f == 3 && w == 2:
				nd.Name = string(s)
			case f == 4 && w == 2:
				nd.OpType = string(s)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("node %d: %w", len(nodes), err)
		}
		nodes = append(nodes, nd)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	return nodes, nil
}

// scanFields calls fn for every field of a protobuf message: varints and
// fixed-width values in v, length-delimited ones in b (a sub-slice of msg).
func scanFields(msg []byte, fn func(field, wire int, v uint64, b []byte) error) error {
	for off := 0; off < len(msg); {
		key, k := binary.Uvarint(msg[off:])
		if k <= 0 {
			return fmt.Errorf("bad field key at byte %d", off)
		}
		off += k
		field, wire := int(key>>3), int(key&7)
		if field == 0 {
			return fmt.Errorf("field number 0 at byte %d", off-k)
		}
		var v uint64
		var b []byte
		switch wire {
		case 0:
			if v, k = binary.Uvarint(msg[off:]); k <= 0 {
				return fmt.Errorf("bad varint at byte %d", off)
			}
			off += k
		case 1, 5:
			w := 8
			if wire == 5 {
				w = 4
			}
			if len(msg)-off < w {
				return fmt.Errorf("truncated fixed-width field at byte %d", off)
			}
			off += w
		case 2:
			l, k := binary.Uvarint(msg[off:])
			if k <= 0 || l > uint64(len(msg)-off-k) {
				return fmt.Errorf("bad length at byte %d", off)
			}
			off += k
			b = msg[off : off+int(l)]
			off += int(l)
		default:
			return fmt.Errorf("unsupported wire type %d at byte %d", wire, off-k)
		}
		if err := fn(field, wire, v, b); err != nil {
			return err
		}
	}
	return nil
}

// normalization returns insightface ArcFaceONNX's input mean and std: 0 and
// 1 when one of the first eight nodes is named like a subtraction (Sub…,
// _minus…) and one like a multiplication (Mul…, _mul…) — a model converted
// from MXNet, which normalises inside the graph — else 127.5 and 127.5.
func normalization(nodes []Node) (mean, std float32) {
	sub, mul := false, false
	for i, nd := range nodes {
		if i >= maxNodes {
			break
		}
		sub = sub || hasPrefix(nd.Name, "Sub") || hasPrefix(nd.Name, "_minus")
		mul = mul || hasPrefix(nd.Name, "Mul") || hasPrefix(nd.Name, "_mul")
	}
	if sub && mul {
		return 0, 1
	}
	return 127.5, 127.5
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
