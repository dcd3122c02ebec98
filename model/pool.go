package model

import (
	"runtime"
	"sync"
)

// pool runs one function on n workers at once: worker 0 is the calling
// goroutine, workers 1..n-1 are long-lived goroutines woken through their
// own channel. A run allocates nothing. The goroutines exit when the pool is
// closed, or when the owner becomes unreachable (see newPool).
type pool struct {
	n     int
	state *poolState
}

type poolState struct {
	fn    func(worker int)
	start []chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
}

// newPool starts n-1 goroutines. owner's cleanup closes them, so a
// forgotten Close does not leak goroutines past the owner's life.
func newPool[T any](n int, owner *T) *pool {
	if n < 1 {
		n = 1
	}
	st := &poolState{start: make([]chan struct{}, n)}
	for w := 1; w < n; w++ {
		ch := make(chan struct{})
		st.start[w] = ch
		go func(w int, ch chan struct{}) {
			for range ch {
				st.fn(w)
				st.wg.Done()
			}
		}(w, ch)
	}
	runtime.AddCleanup(owner, func(st *poolState) { st.close() }, st)
	return &pool{n: n, state: st}
}

// run calls fn(w) for every worker w in 0..n-1 and waits for all of them.
// fn must be a value created once (a stored method value), not a fresh
// closure, to keep runs allocation-free.
func (p *pool) run(fn func(worker int)) {
	st := p.state
	if p.n == 1 {
		fn(0)
		return
	}
	st.fn = fn
	st.wg.Add(p.n - 1)
	for w := 1; w < p.n; w++ {
		st.start[w] <- struct{}{}
	}
	fn(0)
	st.wg.Wait()
	st.fn = nil
}

// close stops the goroutines; the pool must not run afterwards.
func (p *pool) close() { p.state.close() }

func (st *poolState) close() {
	st.once.Do(func() {
		for _, ch := range st.start[1:] {
			close(ch)
		}
	})
}

// split returns worker w's share [lo, hi) of n items among workers.
func split(n, w, workers int) (lo, hi int) {
	return n * w / workers, n * (w + 1) / workers
}
