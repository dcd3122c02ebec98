package ort

import (
	"unsafe"

	"github.com/ebitengine/purego"
)

// apiVersion is the OrtApi version requested from OrtGetApiBase. The table
// only ever grows, so asking for an old version gets a table whose first
// entries, the only ones used here, are the same in every later library.
const apiVersion = 11

// Indices into the OrtApi function table (onnxruntime_c_api.h, struct
// OrtApi, in declaration order).
const (
	fnGetErrorCode                     = 1
	fnGetErrorMessage                  = 2
	fnCreateEnv                        = 3
	fnCreateSessionFromArray           = 8
	fnRun                              = 9
	fnCreateSessionOptions             = 10
	fnSetSessionGraphOptimizationLevel = 23
	fnSetIntraOpNumThreads             = 24
	fnSetInterOpNumThreads             = 25
	fnSessionGetInputCount             = 30
	fnSessionGetOutputCount            = 31
	fnSessionGetInputTypeInfo          = 33
	fnSessionGetOutputTypeInfo         = 34
	fnSessionGetInputName              = 36
	fnSessionGetOutputName             = 37
	fnCreateRunOptions                 = 39
	fnRunOptionsSetTerminate           = 46
	fnCreateTensorAsOrtValue           = 48
	fnGetTensorMutableData             = 51
	fnCastTypeInfoToTensorInfo         = 55
	fnGetOnnxTypeFromTypeInfo          = 56
	fnGetTensorElementType             = 60
	fnGetDimensionsCount               = 61
	fnGetDimensions                    = 62
	fnGetTensorTypeAndShape            = 65
	fnAllocatorFree                    = 76
	fnGetAllocatorWithDefaultOptions   = 78
	fnReleaseEnv                       = 92
	fnReleaseStatus                    = 93
	fnReleaseSession                   = 95
	fnReleaseValue                     = 96
	fnReleaseRunOptions                = 97
	fnReleaseTypeInfo                  = 98
	fnReleaseTensorTypeAndShapeInfo    = 99
	fnReleaseSessionOptions            = 100
	numFns                             = 101
)

// api is a loaded OrtApi table.
type api struct {
	fns [numFns]uintptr
}

// call invokes table entry fn; every argument is pointer-sized (pointers,
// size_t, int and enum arguments alike on the supported 64-bit ABIs). Go
// pointers converted to uintptr in the argument list stay alive and in place
// for the call, as with syscall.Syscall.
//
//go:uintptrescapes
func (a *api) call(fn int, args ...uintptr) uintptr { return ccall(a.fns[fn], args...) }

// ccall calls the C function at fn.
//
//go:uintptrescapes
func ccall(fn uintptr, args ...uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, args...)
	return r
}

// status turns an OrtStatus* into an error and releases it.
func (a *api) status(st uintptr) error {
	if st == 0 {
		return nil
	}
	code := a.call(fnGetErrorCode, st)
	msg := goString(a.call(fnGetErrorMessage, st))
	a.call(fnReleaseStatus, st)
	return &Error{Code: ErrorCode(code), Message: msg}
}

// ptr converts an address returned by C into an unsafe.Pointer without a
// direct uintptr conversion (the memory is not Go's and never moves).
func ptr(u uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&u)) }

// goString copies a NUL-terminated C string.
func goString(p uintptr) string {
	if p == 0 {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(ptr(p), n)) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(ptr(p)), n))
}

// cString returns s as a NUL-terminated byte slice for C.
func cString(s string) []byte {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return b
}
