package identify

import (
	"fmt"

	"github.com/evalkit/evalkit/nd"
)

// Matrix is a row-major matrix of features, one row per template: float32
// (what networks emit) or float64. Exactly one of F32 and F64 is set.
// Searches run in the matrices' precision.
type Matrix struct {
	Rows, Cols int
	F32        []float32
	F64        []float64
}

// Float32Matrix wraps data (rows·cols values, row-major) without copying.
func Float32Matrix(data []float32, rows, cols int) (Matrix, error) {
	if rows < 0 || cols < 1 || len(data) != rows*cols {
		return Matrix{}, fmt.Errorf("identify: %d values do not form a %d × %d matrix", len(data), rows, cols)
	}
	return Matrix{Rows: rows, Cols: cols, F32: data}, nil
}

// Float64Matrix wraps data (rows·cols values, row-major) without copying.
func Float64Matrix(data []float64, rows, cols int) (Matrix, error) {
	if rows < 0 || cols < 1 || len(data) != rows*cols {
		return Matrix{}, fmt.Errorf("identify: %d values do not form a %d × %d matrix", len(data), rows, cols)
	}
	return Matrix{Rows: rows, Cols: cols, F64: data}, nil
}

// MatrixFromArray views a 2-D float32 or float64 array (float16 arrays are
// widened to float32) as a Matrix without copying.
func MatrixFromArray(a *nd.Array) (Matrix, error) {
	if a == nil || a.NDim() != 2 {
		shape := "nil"
		if a != nil {
			shape = nd.ShapeString(a.Shape())
		}
		return Matrix{}, fmt.Errorf("identify: features must be a 2-D array (rows × dims), got shape %s", shape)
	}
	switch a.DType() {
	case nd.Float32, nd.Float16:
		return Float32Matrix(a.Float32s(), a.Dim(0), a.Dim(1))
	case nd.Float64:
		return Float64Matrix(a.Float64s(), a.Dim(0), a.Dim(1))
	}
	return Matrix{}, fmt.Errorf("identify: features must be float32 or float64, got %s", a.DType())
}

// Is64 reports whether the matrix holds float64 values.
func (m Matrix) Is64() bool { return m.F64 != nil }

// Slice returns rows [lo, hi) without copying.
func (m Matrix) Slice(lo, hi int) Matrix {
	out := Matrix{Rows: hi - lo, Cols: m.Cols}
	if m.F64 != nil {
		out.F64 = m.F64[lo*m.Cols : hi*m.Cols]
	} else {
		out.F32 = m.F32[lo*m.Cols : hi*m.Cols]
	}
	return out
}

// To64 returns the matrix in float64 (itself when it already is).
func (m Matrix) To64() Matrix {
	if m.F64 != nil {
		return m
	}
	out := Matrix{Rows: m.Rows, Cols: m.Cols, F64: make([]float64, len(m.F32))}
	for i, v := range m.F32 {
		out.F64[i] = float64(v)
	}
	return out
}
