package nd

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"
)

// A MappedFileError reports that a file mapped by MapNpyFile shrank while
// its data was being read: another program rewrote it in place (np.save
// over the same path truncates it first), and the pages past its new end
// no longer exist. Without GuardMapped the read would kill the process
// with SIGBUS.
type MappedFileError struct {
	// Path is the mapped file.
	Path string
	// Mapped is its size when it was mapped; Now its size at the fault
	// (-1 when it could not be read).
	Mapped, Now int64
}

func (e *MappedFileError) Error() string {
	now := "can no longer be read"
	if e.Now >= 0 {
		now = fmt.Sprintf("is now %d bytes", e.Now)
	}
	return fmt.Sprintf("nd: %s changed while it was being read: it was %d bytes when opened and %s (another program rewrote it in place, e.g. np.save over it); run again once it is complete", e.Path, e.Mapped, now)
}

// mappedRegion is one live mapping of MapNpyFile.
type mappedRegion struct {
	start, end uintptr
	path       string
	size       int64
}

var mappings struct {
	mu      sync.Mutex
	regions map[uintptr]mappedRegion // by start address
}

func registerMapping(r mappedRegion) {
	mappings.mu.Lock()
	defer mappings.mu.Unlock()
	if mappings.regions == nil {
		mappings.regions = map[uintptr]mappedRegion{}
	}
	mappings.regions[r.start] = r
}

func unregisterMapping(start uintptr) {
	mappings.mu.Lock()
	defer mappings.mu.Unlock()
	delete(mappings.regions, start)
}

// mappedFault returns the error for a recovered panic that is a memory
// fault inside a live mapping, or nil for any other panic.
func mappedFault(p any) *MappedFileError {
	f, ok := p.(interface{ Addr() uintptr }) // runtime.Error of a fault
	if !ok {
		return nil
	}
	addr := f.Addr()
	mappings.mu.Lock()
	defer mappings.mu.Unlock()
	for _, r := range mappings.regions {
		if addr >= r.start && addr < r.end {
			e := &MappedFileError{Path: r.path, Mapped: r.size, Now: -1}
			if st, err := os.Stat(r.path); err == nil {
				e.Now = st.Size()
			}
			return e
		}
	}
	return nil
}

// GuardMapped runs f and returns its error; if f faults reading an array
// of MapNpyFile because the file shrank meanwhile, it returns a
// *MappedFileError naming the file instead of letting SIGBUS kill the
// process. Any other panic passes through. The guard covers the calling
// goroutine and nd's own worker goroutines (ArgMaxRowsFloat32,
// InTopKRowsFloat32); goroutines that f starts itself must read mapped data
// inside their own GuardMapped.
func GuardMapped(f func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if p := recover(); p != nil {
			if e := mappedFault(p); e != nil {
				err = e
				return
			}
			panic(p)
		}
	}()
	return f()
}
