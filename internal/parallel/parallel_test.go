package parallel

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

func TestSplitCovers(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100} {
		for workers := 1; workers <= 9; workers++ {
			next := 0
			for w := range workers {
				lo, hi := Split(n, w, workers)
				if lo != next || hi < lo {
					t.Fatalf("Split(%d, %d, %d) = [%d, %d), want to start at %d", n, w, workers, lo, hi, next)
				}
				next = hi
			}
			if next != n {
				t.Fatalf("Split(%d, ·, %d) ends at %d", n, workers, next)
			}
		}
	}
}

func TestFor(t *testing.T) {
	for _, c := range []struct{ n, workers, chunks int }{{10, 3, 3}, {2, 8, 2}, {5, 1, 1}, {0, 4, 1}} {
		t.Run(fmt.Sprintf("n=%d,workers=%d", c.n, c.workers), func(t *testing.T) {
			seen := make([]int32, c.n)
			var calls atomic.Int32
			err := For(c.n, c.workers, func(w, lo, hi int) error {
				calls.Add(1)
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&seen[i], 1)
				}
				return nil
			})
			if err != nil || int(calls.Load()) != c.chunks {
				t.Errorf("For(%d, %d): %d calls, err %v; want %d calls", c.n, c.workers, calls.Load(), err, c.chunks)
			}
			for i, s := range seen {
				if s != 1 {
					t.Errorf("For(%d, %d): item %d done %d times", c.n, c.workers, i, s)
				}
			}
		})
	}
	boom := errors.New("boom")
	other := errors.New("other")
	err := For(100, 4, func(w, _, _ int) error {
		switch w {
		case 2:
			return boom
		case 3:
			return other
		}
		return nil
	})
	if err != boom {
		t.Errorf("For's error = %v, want the lowest failing chunk's", err)
	}
}

// Concurrent Runs on one Workers each get every part done exactly once
// (run with -race).
func TestWorkersConcurrentRuns(t *testing.T) {
	w := NewWorkers(3, Options{})
	defer w.Close()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				hits := make([]int32, 3)
				f := Func(func(p, parts int) {
					if parts != 3 {
						t.Errorf("goroutine %d: parts = %d", g, parts)
					}
					atomic.AddInt32(&hits[p], 1)
				})
				w.Run(&f, 5) // clamped to N() = 3
				for p, h := range hits {
					if h != 1 {
						t.Errorf("goroutine %d: part %d ran %d times", g, p, h)
					}
				}
			}
		}()
	}
	wg.Wait()
}

func TestWorkersRunAllocatesNothing(t *testing.T) {
	w := NewWorkers(2, Options{})
	defer w.Close()
	var sum atomic.Int64
	f := Func(func(p, _ int) { sum.Add(int64(p + 1)) })
	if a := testing.AllocsPerRun(100, func() { w.Run(&f, 2) }); a != 0 {
		t.Errorf("Run allocates %v times per call", a)
	}
}
