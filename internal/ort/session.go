package ort

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// ElementType is a tensor's ONNXTensorElementDataType.
type ElementType int

// The element types this package names; Run accepts float32 only.
const (
	Undefined ElementType = 0
	Float32   ElementType = 1
	Uint8     ElementType = 2
	Int64     ElementType = 7
	Float16   ElementType = 10
	Float64   ElementType = 11
)

// String names the type as numpy does.
func (t ElementType) String() string {
	switch t {
	case Float32:
		return "float32"
	case Uint8:
		return "uint8"
	case Int64:
		return "int64"
	case Float16:
		return "float16"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("ONNX element type %d", int(t))
}

// TensorInfo describes one input or output of a graph.
type TensorInfo struct {
	Name string
	// Type is the element type; Undefined for a non-tensor value.
	Type ElementType
	// Shape holds the dimensions; -1 marks a dynamic one (e.g. the batch).
	Shape []int64
}

// String reads like "data float32[-1 3 112 112]".
func (t TensorInfo) String() string { return fmt.Sprintf("%s %s%v", t.Name, t.Type, t.Shape) }

// Options configures a session.
type Options struct {
	// IntraOpThreads is the number of threads one operator uses; 0 lets ONNX
	// Runtime choose (one per core).
	IntraOpThreads int
	// InterOpThreads is the number of operators run at once; 0 lets ONNX
	// Runtime choose.
	InterOpThreads int
	// NoOptimization turns ONNX Runtime's graph optimisations off (they are
	// all on by default).
	NoOptimization bool
}

// Session is a model loaded into ONNX Runtime. Run may be called from
// several goroutines at once; Close must not race with Run.
type Session struct {
	rt       *Runtime
	h        uintptr
	inputs   []TensorInfo
	outputs  []TensorInfo
	inNames  [][]byte // NUL-terminated, kept alive for Run
	outNames [][]byte
	inPtrs   []uintptr
	outPtrs  []uintptr
	mu       sync.Mutex
	closed   bool
}

// NewSession loads a model from its serialised bytes (an .onnx file's
// contents). The bytes are not kept.
func (r *Runtime) NewSession(model []byte, opt Options) (*Session, error) {
	if len(model) == 0 {
		return nil, errors.New("onnxruntime: empty model")
	}
	a := r.api
	var so uintptr
	if err := a.status(a.call(fnCreateSessionOptions, uintptr(unsafe.Pointer(&so)))); err != nil {
		return nil, err
	}
	defer a.call(fnReleaseSessionOptions, so)
	if opt.IntraOpThreads < 0 || opt.InterOpThreads < 0 {
		return nil, fmt.Errorf("onnxruntime: thread counts must not be negative, got intra-op %d, inter-op %d", opt.IntraOpThreads, opt.InterOpThreads)
	}
	if err := a.status(a.call(fnSetIntraOpNumThreads, so, uintptr(opt.IntraOpThreads))); err != nil {
		return nil, err
	}
	if err := a.status(a.call(fnSetInterOpNumThreads, so, uintptr(opt.InterOpThreads))); err != nil {
		return nil, err
	}
	if opt.NoOptimization {
		if err := a.status(a.call(fnSetSessionGraphOptimizationLevel, so, 0)); err != nil {
			return nil, err
		}
	}
	s := &Session{rt: r}
	err := a.status(a.call(fnCreateSessionFromArray, r.env, uintptr(unsafe.Pointer(&model[0])), uintptr(len(model)), so, uintptr(unsafe.Pointer(&s.h))))
	runtime.KeepAlive(model)
	if err != nil {
		return nil, err
	}
	if err := s.describe(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// describe reads the names, types and shapes of the graph's inputs and outputs.
func (s *Session) describe() error {
	a := s.rt.api
	var alloc uintptr
	if err := a.status(a.call(fnGetAllocatorWithDefaultOptions, uintptr(unsafe.Pointer(&alloc)))); err != nil {
		return err
	}
	for _, side := range []struct {
		count, info, name int
		dst               *[]TensorInfo
	}{
		{fnSessionGetInputCount, fnSessionGetInputTypeInfo, fnSessionGetInputName, &s.inputs},
		{fnSessionGetOutputCount, fnSessionGetOutputTypeInfo, fnSessionGetOutputName, &s.outputs},
	} {
		var n uintptr
		if err := a.status(a.call(side.count, s.h, uintptr(unsafe.Pointer(&n)))); err != nil {
			return err
		}
		for i := uintptr(0); i < n; i++ {
			var cname uintptr
			if err := a.status(a.call(side.name, s.h, i, alloc, uintptr(unsafe.Pointer(&cname)))); err != nil {
				return err
			}
			ti := TensorInfo{Name: goString(cname)}
			_ = a.status(a.call(fnAllocatorFree, alloc, cname))
			var tinfo uintptr
			if err := a.status(a.call(side.info, s.h, i, uintptr(unsafe.Pointer(&tinfo)))); err != nil {
				return err
			}
			err := s.rt.typeInfo(tinfo, &ti)
			a.call(fnReleaseTypeInfo, tinfo)
			if err != nil {
				return err
			}
			*side.dst = append(*side.dst, ti)
		}
	}
	for _, t := range s.inputs {
		s.inNames = append(s.inNames, cString(t.Name))
	}
	for _, t := range s.outputs {
		s.outNames = append(s.outNames, cString(t.Name))
	}
	for _, b := range s.inNames {
		s.inPtrs = append(s.inPtrs, uintptr(unsafe.Pointer(&b[0])))
	}
	for _, b := range s.outNames {
		s.outPtrs = append(s.outPtrs, uintptr(unsafe.Pointer(&b[0])))
	}
	return nil
}

// typeInfo fills the element type and shape of a tensor's OrtTypeInfo.
func (r *Runtime) typeInfo(tinfo uintptr, ti *TensorInfo) error {
	a := r.api
	const onnxTypeTensor = 1
	var kind uintptr
	if err := a.status(a.call(fnGetOnnxTypeFromTypeInfo, tinfo, uintptr(unsafe.Pointer(&kind)))); err != nil {
		return err
	}
	if int32(kind) != onnxTypeTensor {
		return nil // Type stays Undefined
	}
	var shapeInfo uintptr // owned by tinfo
	if err := a.status(a.call(fnCastTypeInfoToTensorInfo, tinfo, uintptr(unsafe.Pointer(&shapeInfo)))); err != nil {
		return err
	}
	return r.shapeInfo(shapeInfo, ti)
}

// shapeInfo reads an OrtTensorTypeAndShapeInfo.
func (r *Runtime) shapeInfo(info uintptr, ti *TensorInfo) error {
	a := r.api
	var et, nd uintptr
	if err := a.status(a.call(fnGetTensorElementType, info, uintptr(unsafe.Pointer(&et)))); err != nil {
		return err
	}
	if err := a.status(a.call(fnGetDimensionsCount, info, uintptr(unsafe.Pointer(&nd)))); err != nil {
		return err
	}
	ti.Type = ElementType(int32(et))
	ti.Shape = make([]int64, nd)
	if nd > 0 {
		if err := a.status(a.call(fnGetDimensions, info, uintptr(unsafe.Pointer(&ti.Shape[0])), nd)); err != nil {
			return err
		}
	}
	return nil
}

// Inputs describes the graph's inputs, in order.
func (s *Session) Inputs() []TensorInfo { return s.inputs }

// Outputs describes the graph's outputs, in order.
func (s *Session) Outputs() []TensorInfo { return s.outputs }

// Close releases the session. It is safe to call more than once.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.h == 0 {
		s.closed = true
		return
	}
	s.rt.api.call(fnReleaseSession, s.h)
	s.closed = true
}

// Run runs the graph on the given inputs (one per graph input, in order)
// and returns every output. The caller closes the outputs. When ctx is
// cancelled during the run, ONNX Runtime is told to stop and Run returns
// ctx's error.
func (s *Session) Run(ctx context.Context, inputs []*Tensor) ([]*Tensor, error) {
	if len(inputs) != len(s.inputs) {
		return nil, fmt.Errorf("onnxruntime: the graph takes %d inputs (%s), got %d", len(s.inputs), s.describeInputs(), len(inputs))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a := s.rt.api
	in := make([]uintptr, len(inputs))
	for i, t := range inputs {
		if t == nil || t.h == 0 {
			return nil, fmt.Errorf("onnxruntime: input %d (%s) is nil or closed", i, s.inputs[i].Name)
		}
		in[i] = t.h
	}
	var ro uintptr
	if err := a.status(a.call(fnCreateRunOptions, uintptr(unsafe.Pointer(&ro)))); err != nil {
		return nil, err
	}
	defer a.call(fnReleaseRunOptions, ro)
	terminated := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = a.status(a.call(fnRunOptionsSetTerminate, ro))
		close(terminated)
	})
	out := make([]uintptr, len(s.outputs))
	st := a.call(fnRun, s.h, ro,
		uintptr(unsafe.Pointer(&s.inPtrs[0])), uintptr(unsafe.Pointer(&in[0])), uintptr(len(in)),
		uintptr(unsafe.Pointer(&s.outPtrs[0])), uintptr(len(out)), uintptr(unsafe.Pointer(&out[0])))
	if !stop() {
		// The terminate call has started: let it finish before ro is released.
		<-terminated
	}
	runtime.KeepAlive(inputs)
	runtime.KeepAlive(s.inNames)
	runtime.KeepAlive(s.outNames)
	if err := a.status(st); err != nil {
		for _, o := range out {
			if o != 0 {
				a.call(fnReleaseValue, o)
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	res := make([]*Tensor, len(out))
	for i, o := range out {
		t, err := s.rt.wrapValue(o)
		if err != nil {
			for _, r := range res[:i] {
				r.Close()
			}
			for _, o := range out[i:] {
				a.call(fnReleaseValue, o)
			}
			return nil, fmt.Errorf("onnxruntime: output %s: %w", s.outputs[i].Name, err)
		}
		res[i] = t
	}
	return res, nil
}

func (s *Session) describeInputs() string {
	var parts []string
	for _, t := range s.inputs {
		parts = append(parts, t.String())
	}
	return strings.Join(parts, ", ")
}
