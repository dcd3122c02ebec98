package imagedec

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/evalkit/evalkit/internal/dl"
)

// TurboJPEG's pixel formats and flags (turbojpeg.h, libjpeg-turbo 2.x).
const (
	tjpfRGBA         = 7
	tjpfCMYK         = 11
	tjcsCMYK         = 3
	tjcsYCCK         = 4
	tjErrWarning     = 0
	defaultTurboPath = "libturbojpeg.so.0"
)

// turboLib is the loaded TurboJPEG library: the addresses of the few
// functions the decoder calls.
type turboLib struct {
	path                                       string
	initDecompress, decompressHeader3, destroy uintptr
	decompress2, getErrorCode                  uintptr
	getErrorStr2                               func(h uintptr) string
}

var (
	turboMu    sync.Mutex
	turboCache = map[string]*turboLib{}
)

// loadTurbo opens the TurboJPEG library at path (a file or a name for the
// dynamic loader), once per path.
func loadTurbo(path string) (*turboLib, error) {
	turboMu.Lock()
	defer turboMu.Unlock()
	if l, ok := turboCache[path]; ok {
		return l, nil
	}
	h, err := dl.Open(path, dl.Local)
	if err != nil {
		return nil, fmt.Errorf("imagedec: cannot load TurboJPEG library %s: %w", path, err)
	}
	l := &turboLib{path: path}
	for _, s := range []struct {
		name string
		p    *uintptr
	}{
		{"tjInitDecompress", &l.initDecompress},
		{"tjDecompressHeader3", &l.decompressHeader3},
		{"tjDecompress2", &l.decompress2},
		{"tjGetErrorCode", &l.getErrorCode},
		{"tjDestroy", &l.destroy},
	} {
		if *s.p, err = dl.Sym(h, s.name); err != nil {
			return nil, fmt.Errorf("imagedec: %s has no %s (want libjpeg-turbo's TurboJPEG >= 1.4): %w", path, s.name, err)
		}
	}
	es, err := dl.Sym(h, "tjGetErrorStr2")
	if err != nil {
		return nil, fmt.Errorf("imagedec: %s has no tjGetErrorStr2 (want libjpeg-turbo's TurboJPEG >= 2.0): %w", path, err)
	}
	purego.RegisterFunc(&l.getErrorStr2, es)
	turboCache[path] = l
	return l, nil
}

// turboPath is where the library is looked for: the option, then
// TURBOJPEG_LIB, then the loader's usual search for libturbojpeg.so.0.
func turboPath(opt string) string {
	if opt != "" {
		return opt
	}
	if p := os.Getenv("TURBOJPEG_LIB"); p != "" {
		return p
	}
	return defaultTurboPath
}

// turboHandle is one TurboJPEG decompressor. It is used by one goroutine at
// a time; its C handle is destroyed when the handle is garbage.
type turboHandle struct {
	lib *turboLib
	h   uintptr
	// out-parameters of tjDecompressHeader3, kept here so each call does
	// not allocate them.
	hdr [4]int32
}

func (l *turboLib) newHandle() (*turboHandle, error) {
	h, _, _ := purego.SyscallN(l.initDecompress)
	if h == 0 {
		return nil, errors.New("imagedec: tjInitDecompress failed")
	}
	t := &turboHandle{lib: l, h: h}
	destroy := l.destroy
	runtime.AddCleanup(t, func(h uintptr) { purego.SyscallN(destroy, h) }, h)
	return t, nil
}

// header returns the width, height and TurboJPEG colour space of the JPEG
// in b.
func (t *turboHandle) header(b []byte) (w, h, cs int, err error) {
	r, _, _ := purego.SyscallN(t.lib.decompressHeader3, t.h,
		uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)),
		uintptr(unsafe.Pointer(&t.hdr[0])), uintptr(unsafe.Pointer(&t.hdr[1])),
		uintptr(unsafe.Pointer(&t.hdr[2])), uintptr(unsafe.Pointer(&t.hdr[3])))
	if int32(r) != 0 {
		return 0, 0, 0, t.err("header")
	}
	return int(t.hdr[0]), int(t.hdr[1]), int(t.hdr[3]), nil
}

// decompress decodes b into pix, w×h pixels of 4 bytes in the pixel format
// pf (RGBA with alpha 255, or CMYK), with
// TurboJPEG's default (accurate integer IDCT, fancy upsampling), which is
// what OpenCV's libjpeg decoding uses. Warnings (e.g. a truncated scan)
// are not errors, as in OpenCV: the decoded part is kept.
func (t *turboHandle) decompress(pix, b []byte, w, h int, pf uintptr) error {
	r, _, _ := purego.SyscallN(t.lib.decompress2, t.h,
		uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)),
		uintptr(unsafe.Pointer(&pix[0])), uintptr(w), uintptr(4*w), uintptr(h),
		pf, 0)
	if int32(r) != 0 {
		code, _, _ := purego.SyscallN(t.lib.getErrorCode, t.h)
		if int32(code) == tjErrWarning {
			return nil
		}
		return t.err("data")
	}
	return nil
}

func (t *turboHandle) err(what string) error {
	return fmt.Errorf("libjpeg-turbo (%s): %s", what, t.lib.getErrorStr2(t.h))
}
