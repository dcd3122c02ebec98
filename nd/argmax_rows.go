package nd

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// parallelMin is the input size (elements) from which ArgMaxRowsFloat32
// splits the rows across goroutines: below it the hand-off costs more than
// it saves.
const parallelMin = 1 << 18

// rowJob is one slice of rows for a pool worker: an arg-max into dst, or,
// with k > 0, a count of the rows whose label is in the top k.
type rowJob struct {
	data   []float32
	c      int
	lo, hi int
	dst    []int64 // arg-max results, or the labels when k > 0
	k      int
	g      *rowGroup
}

// rowGroup tracks one call's jobs.
type rowGroup struct {
	wg    sync.WaitGroup
	hits  atomic.Int64
	fault atomic.Pointer[any] // a worker's fault on mapped memory
}

var rowPool struct {
	once   sync.Once
	jobs   chan rowJob
	groups sync.Pool
}

func startRowPool() {
	rowPool.jobs = make(chan rowJob)
	rowPool.groups.New = func() any { return new(rowGroup) }
	for range max(1, runtime.NumCPU()-1) {
		go func() {
			// A fault reading a mapped file that shrank is handed to the
			// caller's goroutine (see GuardMapped).
			debug.SetPanicOnFault(true)
			for j := range rowPool.jobs {
				j.runGuarded()
				j.g.wg.Done()
			}
		}()
	}
}

// runGuarded runs the job, recording a fault on mapped memory in the
// group instead of crashing the worker.
func (j rowJob) runGuarded() {
	defer func() {
		if p := recover(); p != nil {
			if mappedFault(p) == nil {
				panic(p)
			}
			j.g.fault.CompareAndSwap(nil, &p)
		}
	}()
	j.run()
}

func (j rowJob) run() {
	if j.k == 0 {
		argMaxRows(j.data, j.c, j.lo, j.hi, j.dst)
		return
	}
	j.g.hits.Add(inTopKRows(j.data, j.c, j.lo, j.hi, j.dst, j.k))
}

func inTopKRows(data []float32, c, lo, hi int, labels []int64, k int) int64 {
	var hits int64
	for r := lo; r < hi; r++ {
		if l := labels[r]; l >= 0 && l < int64(c) && InTopK(data[r*c:(r+1)*c:(r+1)*c], int(l), k) {
			hits++
		}
	}
	return hits
}

// runRows splits rows [0, n) into one part per processor, hands all but the
// last to the pool and runs the last itself.
func runRows(j rowJob, n int) int64 {
	rowPool.once.Do(startRowPool)
	g := rowPool.groups.Get().(*rowGroup)
	g.hits.Store(0)
	j.g = g
	parts := min(runtime.GOMAXPROCS(0), n)
	step := (n + parts - 1) / parts
	lo := 0
	for p := 0; p < parts-1 && lo+step < n; p++ {
		g.wg.Add(1)
		j.lo, j.hi = lo, lo+step
		rowPool.jobs <- j
		lo += step
	}
	j.lo, j.hi = lo, n
	j.run()
	g.wg.Wait()
	hits := g.hits.Load()
	if p := g.fault.Swap(nil); p != nil {
		rowPool.groups.Put(g)
		panic(*p) // for the caller's GuardMapped
	}
	rowPool.groups.Put(g)
	return hits
}

// parallelWorth reports whether n rows of c columns are worth splitting.
func parallelWorth(n, c int) bool {
	return runtime.GOMAXPROCS(0) >= 2 && n >= 2 && n*c >= parallelMin
}

func argMaxRows(data []float32, c, lo, hi int, dst []int64) {
	for r := lo; r < hi; r++ {
		dst[r] = int64(ArgMaxFloat32(data[r*c : (r+1)*c : (r+1)*c]))
	}
}

// ArgMaxRowsFloat32 writes into dst[r] the arg-max (ArgMaxFloat32's rule)
// of row r of data, read as len(dst) rows of c columns. Inputs of a
// megabyte or more are split across up to GOMAXPROCS goroutines of a
// package-level pool, started on first use, so a large batch of logits is
// read at the machine's memory rate rather than one core's; it allocates
// nothing in steady state. data must hold len(dst)·c elements and c must be
// positive.
func ArgMaxRowsFloat32(data []float32, c int, dst []int64) {
	n := len(dst)
	if !parallelWorth(n, c) {
		argMaxRows(data, c, 0, n, dst)
		return
	}
	runRows(rowJob{data: data, c: c, dst: dst}, n)
}

// InTopKRowsFloat32 counts the rows of data (len(labels) rows of c columns)
// whose label is among the k largest scores of the row, by InTopK's rule;
// labels outside [0, c) never count. Large inputs are split across the same
// worker pool as ArgMaxRowsFloat32; it allocates nothing in steady state.
func InTopKRowsFloat32(data []float32, c int, labels []int64, k int) int64 {
	n := len(labels)
	if k <= 0 {
		return 0
	}
	if !parallelWorth(n, c) {
		return inTopKRows(data, c, 0, n, labels, k)
	}
	return runRows(rowJob{data: data, c: c, dst: labels, k: k}, n)
}
