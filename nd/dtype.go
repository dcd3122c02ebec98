package nd

import "fmt"

// DType is an array's element type, as numpy names it.
type DType uint8

// The element types evalkit reads and writes. Integer and bool arrays are
// stored as int64, float16 as float32, so arithmetic needs only three paths.
const (
	Float32 DType = iota
	Float64
	Float16
	Bool
	Int8
	Int16
	Int32
	Int64
	Uint8
	Uint16
	Uint32
	Uint64
)

var dtypeNames = [...]string{
	Float32: "float32", Float64: "float64", Float16: "float16", Bool: "bool",
	Int8: "int8", Int16: "int16", Int32: "int32", Int64: "int64",
	Uint8: "uint8", Uint16: "uint16", Uint32: "uint32", Uint64: "uint64",
}

// String returns numpy's name for the dtype, e.g. "float32".
func (d DType) String() string {
	if int(d) < len(dtypeNames) {
		return dtypeNames[d]
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// IsFloat reports whether the dtype is a floating-point type.
func (d DType) IsFloat() bool { return d == Float32 || d == Float64 || d == Float16 }

// storage tells which backing slice an array of this dtype uses.
func (d DType) storage() DType {
	switch d {
	case Float32, Float16:
		return Float32
	case Float64:
		return Float64
	default:
		return Int64
	}
}

// ParseDType returns the DType with numpy's name s ("float32", "int64", ...).
func ParseDType(s string) (DType, error) {
	for i, n := range dtypeNames {
		if n == s {
			return DType(i), nil
		}
	}
	return 0, fmt.Errorf("nd: unknown dtype %q (want one of %v)", s, dtypeNames)
}
