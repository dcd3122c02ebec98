package ort

import "fmt"

// ErrorCode is ONNX Runtime's OrtErrorCode.
type ErrorCode int

// The OrtErrorCode values.
const (
	OK ErrorCode = iota
	Fail
	InvalidArgument
	NoSuchFile
	NoModel
	EngineError
	RuntimeException
	InvalidProtobuf
	ModelLoaded
	NotImplemented
	InvalidGraph
	EPFail
)

var codeNames = [...]string{"OK", "FAIL", "INVALID_ARGUMENT", "NO_SUCHFILE", "NO_MODEL", "ENGINE_ERROR",
	"RUNTIME_EXCEPTION", "INVALID_PROTOBUF", "MODEL_LOADED", "NOT_IMPLEMENTED", "INVALID_GRAPH", "EP_FAIL"}

// String returns the code's name in ONNX Runtime's spelling.
func (c ErrorCode) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("code %d", int(c))
}

// Error is an error status returned by ONNX Runtime.
type Error struct {
	Code    ErrorCode
	Message string
}

// Error returns the code and ONNX Runtime's message.
func (e *Error) Error() string { return fmt.Sprintf("onnxruntime: %s: %s", e.Code, e.Message) }
