//go:build unix

package nd

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// mapMin is the data size from which MapNpyFile maps instead of reading.
const mapMin = 1 << 20

// MapNpyFile opens the .npy file at path like ReadNpyFile, but a
// little-endian, C-ordered float32 or float64 array of a megabyte or more
// is memory-mapped read-only instead of read: the array's data is the page
// cache's, so a large embedding file is ready in a few milliseconds instead
// of being copied through fresh heap pages. Other files, and systems where
// mapping fails, fall back to ReadNpyFile (whose arrays are writable).
//
// If another program truncates or rewrites the file in place while the
// array is read (np.save over the same path), the read faults: run the
// reading code inside GuardMapped to get a *MappedFileError instead of
// SIGBUS.
//
// A mapped array is read-only: writing into its data crashes the program
// (Clone it first to modify it). It and every view of it are valid until
// release is called; after that, touching its data crashes the program.
// release is never nil and may be called more than once. Programs that read
// a file once and exit may simply never call it.
func MapNpyFile(path string) (a *Array, release func() error, err error) {
	noop := func() error { return nil }
	f, err := os.Open(path)
	if err != nil {
		return nil, noop, fmt.Errorf("nd: %w", err)
	}
	defer func() { _ = f.Close() }() // the mapping outlives the descriptor
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		a, err := ReadNpyFile(path)
		return a, noop, err
	}
	h, hdrLen, err := readCheckedHeader(f, st.Size())
	if err != nil {
		return nil, noop, fmt.Errorf("nd: %s: %w", path, err)
	}
	mappable := !h.big && !h.fortran && h.nbytes >= mapMin && (h.dtype == Float32 || h.dtype == Float64) &&
		st.Size() <= int64(^uint(0)>>1)
	if !mappable {
		a, err := ReadNpyFile(path)
		return a, noop, err
	}
	// Read-only: a writable private mapping is populated for copy-on-write
	// and then faults again on first read (35 ms for 24 MB here, against
	// 5 ms read-only).
	mem, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ,
		syscall.MAP_PRIVATE|mapPopulate)
	if err != nil {
		a, err := ReadNpyFile(path)
		return a, noop, err
	}
	data := mem[hdrLen : hdrLen+h.nbytes]
	a = &Array{dtype: h.dtype, shape: cloneShape(h.shape)}
	if len(data) > 0 {
		p := unsafe.Pointer(&data[0])
		if h.dtype == Float32 {
			a.f32 = unsafe.Slice((*float32)(p), h.size)
		} else {
			a.f64 = unsafe.Slice((*float64)(p), h.size)
		}
	}
	return a, guardedMapping(mem, path, st.Size()), nil
}

// guardedMapping registers mem, the mapping of the file at path of size
// bytes, for GuardMapped and returns the function that unregisters and
// unmaps it (once; later calls do nothing).
func guardedMapping(mem []byte, path string, size int64) func() error {
	start := uintptr(unsafe.Pointer(&mem[0]))
	registerMapping(mappedRegion{start: start, end: start + uintptr(len(mem)), path: path, size: size})
	released := false
	return func() error {
		if released {
			return nil
		}
		released = true
		unregisterMapping(start)
		return syscall.Munmap(mem)
	}
}

// MapFile maps the regular file at path read-only with its pages loaded,
// for code that parses a large file in place instead of copying it through
// read buffers. data is nil, with no error, when the file cannot be mapped
// (not a regular file, empty, too large, or mmap refused): read it instead.
// As with MapNpyFile, read data inside GuardMapped (a file truncated
// meanwhile is then a *MappedFileError, not SIGBUS); release unmaps it, is
// never nil and may be called more than once.
func MapFile(path string) (data []byte, release func() error, err error) {
	noop := func() error { return nil }
	f, err := os.Open(path)
	if err != nil {
		return nil, noop, err
	}
	defer func() { _ = f.Close() }() // the mapping outlives the descriptor
	st, err := f.Stat()
	if err != nil {
		return nil, noop, err
	}
	if !st.Mode().IsRegular() || st.Size() == 0 || st.Size() > int64(^uint(0)>>1) {
		return nil, noop, nil
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE|mapPopulate)
	if err != nil {
		return nil, noop, nil
	}
	return mem, guardedMapping(mem, path, st.Size()), nil
}
