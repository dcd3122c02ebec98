package nd

import (
	"runtime"
	"sync"
)

// parallelMin is the input size (elements) from which ArgMaxRowsFloat32
// splits the rows across goroutines: below it the hand-off costs more than
// it saves.
const parallelMin = 1 << 18

// rowJob is one slice of rows for a pool worker.
type rowJob struct {
	data   []float32
	c      int
	lo, hi int
	dst    []int64
	wg     *sync.WaitGroup
}

var rowPool struct {
	once sync.Once
	jobs chan rowJob
	wgs  sync.Pool
}

func startRowPool() {
	rowPool.jobs = make(chan rowJob)
	rowPool.wgs.New = func() any { return new(sync.WaitGroup) }
	for range max(1, runtime.NumCPU()-1) {
		go func() {
			for j := range rowPool.jobs {
				argMaxRows(j.data, j.c, j.lo, j.hi, j.dst)
				j.wg.Done()
			}
		}()
	}
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
	procs := runtime.GOMAXPROCS(0)
	if procs < 2 || n < 2 || n*c < parallelMin {
		argMaxRows(data, c, 0, n, dst)
		return
	}
	rowPool.once.Do(startRowPool)
	parts := min(procs, n)
	wg := rowPool.wgs.Get().(*sync.WaitGroup)
	step := (n + parts - 1) / parts
	lo := 0
	for p := 0; p < parts-1 && lo+step < n; p++ {
		wg.Add(1)
		rowPool.jobs <- rowJob{data: data, c: c, lo: lo, hi: lo + step, dst: dst, wg: wg}
		lo += step
	}
	argMaxRows(data, c, lo, n, dst) // the caller takes the last part
	wg.Wait()
	rowPool.wgs.Put(wg)
}
