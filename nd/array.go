package nd

import (
	"fmt"
	"math"
	"strings"
)

// Array is a dense row-major n-d array. The zero value is an empty float32
// array of shape (0). Arrays are not safe for concurrent mutation, but any
// number of goroutines may read one.
type Array struct {
	dtype DType
	shape []int
	f32   []float32 // Float32, Float16
	f64   []float64 // Float64
	i64   []int64   // Bool and integer dtypes
}

// ShapeString formats a shape as Python prints a tuple: (3,), (3, 1), ().
func ShapeString(shape []int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d", d)
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// checkShape returns the element count of shape, or an error when a dimension
// is negative or the product does not equal n.
func checkShape(shape []int, n int) error {
	size := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("nd: negative dimension in shape %s", ShapeString(shape))
		}
		if d != 0 && size > math.MaxInt/d {
			return fmt.Errorf("nd: shape %s overflows", ShapeString(shape))
		}
		size *= d
	}
	if size != n {
		return fmt.Errorf("nd: shape %s needs %d elements, data has %d", ShapeString(shape), size, n)
	}
	return nil
}

func shapeOr1D(shape []int, n int) []int {
	if shape == nil {
		return []int{n}
	}
	return cloneShape(shape)
}

// cloneShape copies a shape, keeping a 0-d shape non-nil: a nil shape means
// the zero Array's (0).
func cloneShape(shape []int) []int {
	c := make([]int, len(shape))
	copy(c, shape)
	return c
}

// FromFloat32 wraps data as a float32 array of the given shape without
// copying; with no shape it is 1-D. Later writes to data show in the array.
func FromFloat32(data []float32, shape ...int) (*Array, error) {
	s := shapeOr1D(shape, len(data))
	if err := checkShape(s, len(data)); err != nil {
		return nil, err
	}
	return &Array{dtype: Float32, shape: s, f32: data}, nil
}

// FromFloat64 wraps data as a float64 array without copying.
func FromFloat64(data []float64, shape ...int) (*Array, error) {
	s := shapeOr1D(shape, len(data))
	if err := checkShape(s, len(data)); err != nil {
		return nil, err
	}
	return &Array{dtype: Float64, shape: s, f64: data}, nil
}

// FromInt64 wraps data as an int64 array without copying.
func FromInt64(data []int64, shape ...int) (*Array, error) {
	return FromInts(Int64, data, shape...)
}

// FromInts wraps integer data as an array of the integer or bool dtype dt
// without copying. Values are not range-checked against dt until written.
func FromInts(dt DType, data []int64, shape ...int) (*Array, error) {
	if dt.storage() != Int64 {
		return nil, fmt.Errorf("nd: FromInts needs an integer or bool dtype, got %s", dt)
	}
	s := shapeOr1D(shape, len(data))
	if err := checkShape(s, len(data)); err != nil {
		return nil, err
	}
	return &Array{dtype: dt, shape: s, i64: data}, nil
}

// FromInt32s copies 32-bit integer labels into a new int32 array.
func FromInt32s(data []int32, shape ...int) (*Array, error) {
	v := make([]int64, len(data))
	for i, x := range data {
		v[i] = int64(x)
	}
	return FromInts(Int32, v, shape...)
}

// Zeros returns a new zero-filled array.
func Zeros(dt DType, shape ...int) (*Array, error) {
	n := 1
	for _, d := range shape {
		if d < 0 || (d != 0 && n > math.MaxInt/d) {
			return nil, fmt.Errorf("nd: bad shape %s", ShapeString(shape))
		}
		n *= d
	}
	a := &Array{dtype: dt, shape: cloneShape(shape)}
	switch dt.storage() {
	case Float32:
		a.f32 = make([]float32, n)
	case Float64:
		a.f64 = make([]float64, n)
	default:
		a.i64 = make([]int64, n)
	}
	return a, nil
}

// Must returns a, panicking on err. It is for tests and literals whose shapes
// are known to be right.
func Must(a *Array, err error) *Array {
	if err != nil {
		panic(err)
	}
	return a
}

// DType returns the element type.
func (a *Array) DType() DType { return a.dtype }

// Shape returns the shape. The slice is the array's own: do not modify it.
func (a *Array) Shape() []int {
	if a.shape == nil {
		return []int{0}
	}
	return a.shape
}

// NDim returns the number of dimensions.
func (a *Array) NDim() int { return len(a.Shape()) }

// Len returns the size of dimension 0 (1 for a 0-d array), as Python's len.
func (a *Array) Len() int {
	s := a.Shape()
	if len(s) == 0 {
		return 1
	}
	return s[0]
}

// Size returns the total number of elements.
func (a *Array) Size() int {
	switch a.dtype.storage() {
	case Float32:
		return len(a.f32)
	case Float64:
		return len(a.f64)
	default:
		return len(a.i64)
	}
}

// Dim returns the size of axis ax; negative axes count from the end.
func (a *Array) Dim(ax int) int {
	s := a.Shape()
	if ax < 0 {
		ax += len(s)
	}
	if ax < 0 || ax >= len(s) {
		return 0
	}
	return s[ax]
}

// String describes the array's dtype and shape, e.g. "float32(3, 2)".
func (a *Array) String() string { return a.dtype.String() + ShapeString(a.Shape()) }

// Float32s returns the backing slice of a float32 or float16 array, else nil.
func (a *Array) Float32s() []float32 {
	if a.dtype.storage() == Float32 {
		return a.f32
	}
	return nil
}

// Float64s returns the backing slice of a float64 array, else nil.
func (a *Array) Float64s() []float64 {
	if a.dtype == Float64 {
		return a.f64
	}
	return nil
}

// Int64s returns the backing slice of an integer or bool array, else nil.
func (a *Array) Int64s() []int64 {
	if a.dtype.storage() == Int64 {
		return a.i64
	}
	return nil
}

// Float returns element i of the flattened array as float64.
func (a *Array) Float(i int) float64 {
	switch a.dtype.storage() {
	case Float32:
		return float64(a.f32[i])
	case Float64:
		return a.f64[i]
	default:
		return float64(a.i64[i])
	}
}

// Int returns element i of the flattened array as an integer, truncating
// floats toward zero as numpy's astype(int32) does. ok is false for NaN,
// infinities and values outside the int32 range, which numpy maps to
// undefined values; callers treat such labels as matching nothing.
func (a *Array) Int(i int) (v int64, ok bool) {
	switch a.dtype.storage() {
	case Float32:
		return truncInt(float64(a.f32[i]))
	case Float64:
		return truncInt(a.f64[i])
	default:
		return a.i64[i], true
	}
}

func truncInt(f float64) (int64, bool) {
	if f != f || f >= 1<<31 || f <= -(1<<31)-1 {
		return 0, false
	}
	return int64(f), true
}

// AppendFloat64 appends all elements, converted to float64, to dst.
func (a *Array) AppendFloat64(dst []float64) []float64 {
	switch a.dtype.storage() {
	case Float32:
		for _, v := range a.f32 {
			dst = append(dst, float64(v))
		}
	case Float64:
		dst = append(dst, a.f64...)
	default:
		for _, v := range a.i64 {
			dst = append(dst, float64(v))
		}
	}
	return dst
}

// Slice returns the view of rows [lo, hi) along axis 0, sharing data.
func (a *Array) Slice(lo, hi int) (*Array, error) {
	s := a.Shape()
	if len(s) == 0 {
		return nil, fmt.Errorf("nd: cannot slice a 0-d array")
	}
	if lo < 0 || hi < lo || hi > s[0] {
		return nil, fmt.Errorf("nd: slice [%d:%d] out of range for axis 0 of size %d", lo, hi, s[0])
	}
	row := 1
	for _, d := range s[1:] {
		row *= d
	}
	v := &Array{dtype: a.dtype, shape: append([]int{hi - lo}, s[1:]...)}
	switch a.dtype.storage() {
	case Float32:
		v.f32 = a.f32[lo*row : hi*row : hi*row]
	case Float64:
		v.f64 = a.f64[lo*row : hi*row : hi*row]
	default:
		v.i64 = a.i64[lo*row : hi*row : hi*row]
	}
	return v, nil
}

// Row returns row i along axis 0 as a view sharing data: shape s[1:] of a's
// shape s (a 0-d array for a 1-D a).
func (a *Array) Row(i int) (*Array, error) {
	s := a.Shape()
	if len(s) == 0 {
		return nil, fmt.Errorf("nd: cannot take a row of a 0-d array")
	}
	if i < 0 || i >= s[0] {
		return nil, fmt.Errorf("nd: row %d out of range for axis 0 of size %d", i, s[0])
	}
	v, err := a.Slice(i, i+1)
	if err != nil {
		return nil, err
	}
	v.shape = cloneShape(s[1:])
	return v, nil
}

// Reshape returns a view with a new shape of the same size. One dimension
// may be -1 and is inferred.
func (a *Array) Reshape(shape ...int) (*Array, error) {
	s := cloneShape(shape)
	infer, known := -1, 1
	for i, d := range s {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			return nil, fmt.Errorf("nd: cannot reshape %s to %s", a, ShapeString(shape))
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || a.Size()%known != 0 {
			return nil, fmt.Errorf("nd: cannot reshape %s to %s", a, ShapeString(shape))
		}
		s[infer] = a.Size() / known
	}
	if err := checkShape(s, a.Size()); err != nil {
		return nil, fmt.Errorf("nd: cannot reshape %s to %s", a, ShapeString(shape))
	}
	v := *a
	v.shape = s
	return &v, nil
}

// SameShape reports whether a and b have identical shapes.
func SameShape(a, b *Array) bool {
	as, bs := a.Shape(), b.Shape()
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		if as[i] != bs[i] {
			return false
		}
	}
	return true
}

// Clone returns a deep copy.
func (a *Array) Clone() *Array {
	c := &Array{dtype: a.dtype, shape: cloneShape(a.Shape())}
	c.f32 = append([]float32(nil), a.f32...)
	c.f64 = append([]float64(nil), a.f64...)
	c.i64 = append([]int64(nil), a.i64...)
	return c
}
