package ort

import (
	"fmt"
	"unsafe"
)

// Tensor is an ONNX Runtime value holding a tensor in memory ONNX Runtime
// allocated. Its data stays valid until Close.
type Tensor struct {
	rt    *Runtime
	h     uintptr
	info  TensorInfo
	data  unsafe.Pointer
	count int
}

// NewTensor allocates a float32 tensor of the given shape in ONNX Runtime's
// memory; write its contents through Float32s (they start undefined).
func (r *Runtime) NewTensor(shape []int64) (*Tensor, error) {
	if len(shape) == 0 {
		return nil, fmt.Errorf("onnxruntime: a tensor needs at least one dimension")
	}
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("onnxruntime: tensor shape %v has a negative dimension", shape)
		}
	}
	a := r.api
	var alloc uintptr
	if err := a.status(a.call(fnGetAllocatorWithDefaultOptions, uintptr(unsafe.Pointer(&alloc)))); err != nil {
		return nil, err
	}
	sh := append([]int64(nil), shape...)
	var h uintptr
	if err := a.status(a.call(fnCreateTensorAsOrtValue, alloc, uintptr(unsafe.Pointer(&sh[0])), uintptr(len(sh)), uintptr(Float32), uintptr(unsafe.Pointer(&h)))); err != nil {
		return nil, err
	}
	return r.wrapValue(h)
}

// wrapValue reads the type, shape and data pointer of an OrtValue; on error
// the value is released.
func (r *Runtime) wrapValue(h uintptr) (*Tensor, error) {
	a := r.api
	t := &Tensor{rt: r, h: h}
	var info uintptr
	if err := a.status(a.call(fnGetTensorTypeAndShape, h, uintptr(unsafe.Pointer(&info)))); err != nil {
		a.call(fnReleaseValue, h)
		return nil, err
	}
	err := r.shapeInfo(info, &t.info)
	a.call(fnReleaseTensorTypeAndShapeInfo, info)
	if err == nil && t.info.Type != Float32 {
		err = fmt.Errorf("tensor is %s, want float32", t.info.Type)
	}
	if err != nil {
		a.call(fnReleaseValue, h)
		return nil, err
	}
	t.count = 1
	for _, d := range t.info.Shape {
		t.count *= int(d)
	}
	var p uintptr
	if err := a.status(a.call(fnGetTensorMutableData, h, uintptr(unsafe.Pointer(&p)))); err != nil {
		a.call(fnReleaseValue, h)
		return nil, err
	}
	t.data = ptr(p)
	return t, nil
}

// Shape returns the tensor's dimensions.
func (t *Tensor) Shape() []int64 { return t.info.Shape }

// Float32s returns the tensor's data, row-major, in ONNX Runtime's memory:
// valid until Close, and not to be used after.
func (t *Tensor) Float32s() []float32 {
	if t.h == 0 || t.count == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(t.data), t.count)
}

// Close releases the tensor. It is safe to call more than once.
func (t *Tensor) Close() {
	if t == nil || t.h == 0 {
		return
	}
	t.rt.api.call(fnReleaseValue, t.h)
	t.h, t.data = 0, nil
}
