// Package parallel is evalkit's one way of running a loop on every core:
// For splits a range into contiguous chunks for a call's own goroutines,
// and Workers keeps long-lived goroutines for hot paths that must not
// allocate (the network's forward and backward passes, arg-max over a
// batch of logits).
package parallel

import (
	"runtime/debug"
	"sync"
)

// Split returns worker w's share [lo, hi) of n items among workers: the
// contiguous chunks For and Workers hand out.
func Split(n, w, workers int) (lo, hi int) {
	return n * w / workers, n * (w + 1) / workers
}

// For calls fn(w, lo, hi) for every chunk w of [0, n) split among workers
// goroutines (fewer when n is smaller; chunk 0 runs on the calling
// goroutine) and returns the error of the lowest-numbered chunk that
// failed. It starts its goroutines per call: for loops run once per input,
// not per batch.
func For(n, workers int, fn func(w, lo, hi int) error) error {
	workers = min(workers, n)
	if workers <= 1 {
		return fn(0, 0, n)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		lo, hi := Split(n, w, workers)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = fn(w, lo, hi)
		}()
	}
	lo, hi := Split(n, 0, workers)
	errs[0] = fn(0, lo, hi)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// A Task is one call's work for Workers: RunPart(p, parts) does part p of
// parts.
type Task interface {
	RunPart(part, parts int)
}

// Func adapts a function to Task; keep the *Func (create it once) so that
// Workers.Run allocates nothing.
type Func func(part, parts int)

// RunPart calls f.
func (f *Func) RunPart(part, parts int) { (*f)(part, parts) }

type job struct {
	t           Task
	part, parts int
	wg          *sync.WaitGroup
}

// Workers runs Tasks on long-lived goroutines. It is safe for concurrent
// use: parts of concurrent Runs queue for the same goroutines, and the
// caller of Run always does one part itself, so a Run never waits for an
// idle worker that does not come. A Run allocates nothing when its Task
// is a pointer made once. The zero value is not usable; see NewWorkers.
type Workers struct {
	n    int
	jobs chan job
	// wgs is a free list of WaitGroups, one per Run in progress (a
	// channel rather than a sync.Pool, which drops items at random under
	// the race detector and would make Runs allocate there).
	wgs   chan *sync.WaitGroup
	close sync.Once
}

// freeWaitGroups is how many concurrent Runs find a WaitGroup ready;
// more allocate one.
const freeWaitGroups = 16

// Options configure NewWorkers.
type Options struct {
	// PanicOnFault sets runtime/debug.SetPanicOnFault in the worker
	// goroutines, so a Task reading memory-mapped files can recover a
	// fault on a file that shrank (nd.GuardMapped) instead of the process
	// dying of SIGBUS; the Task must recover it.
	PanicOnFault bool
}

// NewWorkers starts n−1 goroutines (n ≥ 1; the caller of Run is the n-th
// worker). Close stops them.
func NewWorkers(n int, o Options) *Workers {
	n = max(n, 1)
	w := &Workers{n: n, jobs: make(chan job), wgs: make(chan *sync.WaitGroup, freeWaitGroups)}
	for range freeWaitGroups {
		w.wgs <- new(sync.WaitGroup)
	}
	for range n - 1 {
		go func() {
			if o.PanicOnFault {
				debug.SetPanicOnFault(true)
			}
			for j := range w.jobs {
				j.t.RunPart(j.part, j.parts)
				j.wg.Done()
			}
		}()
	}
	return w
}

// N returns the number of workers, the caller of Run included.
func (w *Workers) N() int { return w.n }

// Run calls t.RunPart(p, parts) for p in [0, parts), parts ≤ N() of them
// on the workers and the last on the calling goroutine, and waits for all.
// A Task's panic in a worker goroutine crashes the process, as in any
// goroutine: Tasks that can fault recover themselves.
func (w *Workers) Run(t Task, parts int) {
	parts = min(max(parts, 1), w.n)
	if parts == 1 {
		t.RunPart(0, 1)
		return
	}
	var wg *sync.WaitGroup
	select {
	case wg = <-w.wgs:
	default:
		wg = new(sync.WaitGroup)
	}
	wg.Add(parts - 1)
	for p := range parts - 1 {
		w.jobs <- job{t: t, part: p, parts: parts, wg: wg}
	}
	t.RunPart(parts-1, parts)
	wg.Wait()
	select {
	case w.wgs <- wg:
	default:
	}
}

// Close stops the worker goroutines once no Run is in progress; the
// Workers must not Run afterwards.
func (w *Workers) Close() { w.close.Do(func() { close(w.jobs) }) }
