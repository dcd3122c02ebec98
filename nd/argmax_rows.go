package nd

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/evalkit/evalkit/internal/parallel"
)

// parallelMin is the input size (elements) from which ArgMaxRowsFloat32
// splits the rows across goroutines: below it the hand-off costs more than
// it saves.
const parallelMin = 1 << 18

// rowJob is an arg-max into dst over rows [lo, hi), or, with k > 0, a
// count of the rows whose label is in the top k.
type rowJob struct {
	data   []float32
	c      int
	lo, hi int
	dst    []int64 // arg-max results, or the labels when k > 0
	k      int
}

// rowTask is one call's rows split among the package's workers
// (internal/parallel); tasks are pooled, so a call allocates nothing in
// steady state.
type rowTask struct {
	j     rowJob
	n     int
	hits  atomic.Int64
	fault atomic.Pointer[any] // a part's fault on mapped memory
}

var rows struct {
	once    sync.Once
	workers *parallel.Workers
	tasks   sync.Pool
}

func startRowWorkers() {
	// A fault reading a mapped file that shrank is handed to the caller's
	// goroutine (see GuardMapped), so the workers panic on faults.
	rows.workers = parallel.NewWorkers(runtime.NumCPU(), parallel.Options{PanicOnFault: true})
	rows.tasks.New = func() any { return new(rowTask) }
}

// RunPart runs part p of the task's rows, recording a fault on mapped
// memory instead of crashing the worker.
func (t *rowTask) RunPart(p, parts int) {
	defer func() {
		if r := recover(); r != nil {
			if mappedFault(r) == nil {
				panic(r)
			}
			fault := r // declared here, so only a fault allocates
			t.fault.CompareAndSwap(nil, &fault)
		}
	}()
	j := t.j
	j.lo, j.hi = parallel.Split(t.n, p, parts)
	t.hits.Add(j.run())
}

func (j rowJob) run() int64 {
	if j.k == 0 {
		argMaxRows(j.data, j.c, j.lo, j.hi, j.dst)
		return 0
	}
	return inTopKRows(j.data, j.c, j.lo, j.hi, j.dst, j.k)
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

// runRows splits rows [0, n) into one part per processor among the
// package's workers (the caller runs one part) and returns the hits.
func runRows(j rowJob, n int) int64 {
	rows.once.Do(startRowWorkers)
	t := rows.tasks.Get().(*rowTask)
	t.j, t.n = j, n
	t.hits.Store(0)
	rows.workers.Run(t, min(runtime.GOMAXPROCS(0), n))
	hits := t.hits.Load()
	p := t.fault.Swap(nil)
	t.j = rowJob{}
	rows.tasks.Put(t)
	if p != nil {
		panic(*p) // for the caller's GuardMapped
	}
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
