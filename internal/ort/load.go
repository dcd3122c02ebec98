package ort

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"github.com/evalkit/evalkit/internal/dl"
)

// EnvVar names the environment variable Load reads when no path is given.
const EnvVar = "ONNXRUNTIME_LIB"

// DefaultLib is the file name the dynamic loader searches for last.
const DefaultLib = "libonnxruntime.so.1"

// HowToGet tells a user where ONNX Runtime's library comes from; it ends
// every error about a library that cannot be loaded.
const HowToGet = `ONNX Runtime 1.30's CPU library ships in the npm package onnxruntime-node (MIT): ` +
	`"npm pack onnxruntime-node@1.30.0 && tar xzf onnxruntime-node-1.30.0.tgz package/bin/napi-v6/linux/x64/libonnxruntime.so.1", ` +
	`then pass --ort-lib PATH or set ` + EnvVar + `=PATH (or put it where the dynamic loader looks)`

// ErrNotFound is wrapped by Load's error when no library could be loaded.
var ErrNotFound = errors.New("ONNX Runtime library not found")

// Runtime is a loaded ONNX Runtime library with one environment (OrtEnv).
// It is safe for concurrent use and lives until the process ends.
type Runtime struct {
	api     *api
	env     uintptr
	path    string
	version string
}

var (
	loadMu sync.Mutex
	loaded = map[string]*Runtime{}
)

// Load loads ONNX Runtime: from path when it is not empty, else from the
// file named by $ONNXRUNTIME_LIB, else libonnxruntime.so.1 wherever the
// dynamic loader finds it. Loading the same library twice returns the same
// Runtime. The error says how to get the library.
func Load(path string) (*Runtime, error) {
	src := "--ort-lib"
	if path == "" {
		path, src = os.Getenv(EnvVar), "$"+EnvVar
	}
	if path == "" {
		path, src = DefaultLib, "the dynamic loader's search path"
	}
	loadMu.Lock()
	defer loadMu.Unlock()
	if r, ok := loaded[path]; ok {
		return r, nil
	}
	r, err := load(path)
	if err != nil {
		return nil, fmt.Errorf("%w: loading %s (from %s): %w. %s", ErrNotFound, path, src, err, HowToGet)
	}
	loaded[path] = r
	return r, nil
}

func load(path string) (*Runtime, error) {
	h, err := dl.Open(path, dl.Local)
	if err != nil {
		return nil, err
	}
	getBase, err := dl.Sym(h, "OrtGetApiBase")
	if err != nil {
		return nil, fmt.Errorf("not an ONNX Runtime library (no OrtGetApiBase): %w", err)
	}
	a := &api{}
	base := ccall(getBase)
	if base == 0 {
		return nil, errors.New("OrtGetApiBase returned NULL")
	}
	// struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }
	fns := (*[2]uintptr)(ptr(base))
	version := goString(ccall(fns[1]))
	table := ccall(fns[0], apiVersion)
	if table == 0 {
		return nil, fmt.Errorf("ONNX Runtime %s does not offer C API version %d (too old)", version, apiVersion)
	}
	a.fns = *(*[numFns]uintptr)(ptr(table))
	r := &Runtime{api: a, path: path, version: version}
	logid := cString("evalkit")
	const logWarning = 2
	if err := a.status(a.call(fnCreateEnv, logWarning, uintptr(unsafe.Pointer(&logid[0])), uintptr(unsafe.Pointer(&r.env)))); err != nil {
		return nil, err
	}
	return r, nil
}

// Version is the library's version string, e.g. "1.30.0".
func (r *Runtime) Version() string { return r.version }

// Path is the library file as it was loaded.
func (r *Runtime) Path() string { return r.path }
