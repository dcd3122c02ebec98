package metric

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// propCase is a metric and a generator of random update calls for it.
type propCase struct {
	name     string
	args     Args
	gen      func(r *rand.Rand) (labels, preds []*nd.Array)
	counting bool // exact under merge
}

func classData(n, c int) func(r *rand.Rand) ([]*nd.Array, []*nd.Array) {
	return func(r *rand.Rand) ([]*nd.Array, []*nd.Array) {
		l := make([]float32, n)
		p := make([]float32, n*c)
		for i := range l {
			l[i] = float32(r.IntN(c))
			// MXNet's test data: 1 - 0.1*argsort(rand) per row.
			for j, k := range r.Perm(c) {
				p[i*c+j] = 1 - 0.1*float32(k)
			}
		}
		return list(nd.Must(nd.FromFloat32(l))), list(nd.Must(nd.FromFloat32(p, n, c)))
	}
}

func probData(n, c int) func(r *rand.Rand) ([]*nd.Array, []*nd.Array) {
	return func(r *rand.Rand) ([]*nd.Array, []*nd.Array) {
		l := make([]float32, n)
		p := make([]float32, n*c)
		for i := range l {
			l[i] = float32(r.IntN(c))
			var s float32
			for j := 0; j < c; j++ {
				p[i*c+j] = r.Float32() + 0.01
				s += p[i*c+j]
			}
			for j := 0; j < c; j++ {
				p[i*c+j] /= s
			}
		}
		return list(nd.Must(nd.FromFloat32(l))), list(nd.Must(nd.FromFloat32(p, n, c)))
	}
}

func sameShapeData(n int) func(r *rand.Rand) ([]*nd.Array, []*nd.Array) {
	return func(r *rand.Rand) ([]*nd.Array, []*nd.Array) {
		l := make([]float32, n)
		p := make([]float32, n)
		for i := range l {
			l[i], p[i] = r.Float32(), r.Float32()
		}
		return list(nd.Must(nd.FromFloat32(l, n, 1))), list(nd.Must(nd.FromFloat32(p, n, 1)))
	}
}

func propCases() []propCase {
	return []propCase{
		{"acc", nil, classData(10, 10), true},
		{"top_k_acc", Args{"top_k": 3}, classData(10, 10), true},
		{"f1", nil, classData(10, 2), false}, // macro: a float sum of per-call values
		{"f1", Args{"average": "micro"}, classData(10, 2), true},
		{"mcc", nil, classData(10, 2), false},
		{"mcc", Args{"average": "micro"}, classData(10, 2), true},
		{"perplexity", Args{"ignore_label": -1}, probData(10, 5), false},
		{"pearsonr", nil, sameShapeData(10), false},
		{"pearsonr", Args{"average": "micro"}, sameShapeData(10), false},
		{"pcc", nil, classData(10, 4), true},
		{"nll_loss", nil, probData(10, 5), false},
		{"ce", nil, probData(10, 5), false},
		{"loss", nil, probData(10, 5), false},
		{"mae", nil, sameShapeData(10), false},
		{"mse", Args{"average": "sample"}, sameShapeData(10), false},
		{"rmse", nil, sameShapeData(10), false},
		{"rmse", Args{"average": "sample"}, sameShapeData(10), false},
	}
}

func sameValues(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i], tol) {
			return false
		}
	}
	return true
}

// TestGlobalIdentities is MXNet's _check_global_metric: updating with
// ResetLocal after each batch leaves the global value equal to a plain
// metric's value; after ResetLocal, update A, ResetLocal, update B, the local
// value equals a fresh metric's after B.
func TestGlobalIdentities(t *testing.T) {
	for _, c := range append(propCases(), propCase{"composite", nil, nil, false}) {
		t.Run(propName(c.name, c.args), func(t *testing.T) {
			gen := c.gen
			v := any(c.name)
			if c.name == "composite" {
				v, gen = []any{"acc", "f1"}, classData(10, 2)
			}
			r := rand.New(rand.NewPCG(1, 2))
			m1, m2 := mustCreate(t, v, c.args), mustCreate(t, v, c.args)
			for i := 0; i < 10; i++ {
				l, p := gen(r)
				update(t, m1, l, p)
				m1.ResetLocal()
				update(t, m2, l, p)
			}
			_, g1 := m1.GetGlobal()
			_, v2 := m2.Get()
			if !sameValues(g1, v2, 0) {
				t.Errorf("%s %v: global after resets %v != plain %v", c.name, c.args, g1, v2)
			}
			m1.ResetLocal()
			m2.Reset()
			la, pa := gen(r)
			lb, pb := gen(r)
			update(t, m1, la, pa)
			m1.ResetLocal()
			update(t, m1, lb, pb)
			update(t, m2, lb, pb)
			_, v1 := m1.Get()
			_, v2 = m2.Get()
			if !sameValues(v1, v2, 0) {
				t.Errorf("%s %v: local after ResetLocal %v != fresh %v", c.name, c.args, v1, v2)
			}
		})
	}
}

// TestShardMerge: evaluating shards apart and merging their states equals
// one sequential pass, exactly for counting metrics; states survive a JSON
// round trip; SetState restores.
func TestShardMerge(t *testing.T) {
	for _, c := range propCases() {
		t.Run(propName(c.name, c.args), func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			seq := mustCreate(t, c.name, c.args)
			shards := []Metric{mustCreate(t, c.name, c.args), mustCreate(t, c.name, c.args), mustCreate(t, c.name, c.args)}
			for i := 0; i < 12; i++ {
				l, p := c.gen(r)
				update(t, seq, l, p)
				update(t, shards[i%3], l, p)
			}
			merged := mustCreate(t, c.name, c.args)
			for _, s := range shards {
				st, err := s.State()
				if err != nil {
					t.Fatal(err)
				}
				b, err := json.Marshal(st)
				if err != nil {
					t.Fatal(err)
				}
				var back State
				if err := json.Unmarshal(b, &back); err != nil {
					t.Fatal(err)
				}
				if err := merged.MergeState(back); err != nil {
					t.Fatalf("%s: merge: %v", c.name, err)
				}
			}
			tol := 1e-12
			if c.counting {
				tol = 0
			}
			_, want := seq.GetGlobal()
			_, got := merged.GetGlobal()
			if !sameValues(got, want, tol) {
				t.Errorf("%s %v: merged %v != sequential %v", c.name, c.args, got, want)
			}
			restored := mustCreate(t, c.name, c.args)
			st, _ := seq.State()
			if err := restored.SetState(st); err != nil {
				t.Fatal(err)
			}
			_, back := restored.GetGlobal()
			if !sameValues(back, want, 0) {
				t.Errorf("%s: restored %v != %v", c.name, back, want)
			}
			if err := restored.MergeState(State{Metric: "Nope"}); err == nil {
				t.Errorf("%s: merging a foreign state: want an error", c.name)
			}
		})
	}
}

// TestBatchSizeInvariance: per-sample metrics give the same value whatever
// the batching.
func TestBatchSizeInvariance(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	l, p := probData(60, 7)(r)
	for _, c := range []struct {
		name string
		args Args
	}{{"acc", nil}, {"top_k_acc", Args{"top_k": 2}}, {"ce", nil}, {"nll_loss", nil}, {"perplexity", Args{"ignore_label": nil}}, {"loss", nil}, {"pcc", nil}} {
		t.Run(propName(c.name, c.args), func(t *testing.T) {
			whole := mustCreate(t, c.name, c.args)
			update(t, whole, l, p)
			for _, bs := range []int{1, 7, 13} {
				m := mustCreate(t, c.name, c.args)
				for lo := 0; lo < 60; lo += bs {
					hi := min(lo+bs, 60)
					ls, _ := l[0].Slice(lo, hi)
					ps, _ := p[0].Slice(lo, hi)
					update(t, m, list(ls), list(ps))
				}
				if got, want := value(m), value(whole); !near(got, want, 1e-12) {
					t.Errorf("%s batch %d: %v != %v", c.name, bs, got, want)
				}
			}
		})
	}
}

// TestConcurrentUpdate runs Updates from several goroutines (go test -race).
func TestConcurrentUpdate(t *testing.T) {
	for _, c := range propCases() {
		t.Run(propName(c.name, c.args), func(t *testing.T) {
			m := mustCreate(t, c.name, c.args)
			seq := mustCreate(t, c.name, c.args)
			r := rand.New(rand.NewPCG(7, 8))
			var batches [][2][]*nd.Array
			for i := 0; i < 16; i++ {
				l, p := c.gen(r)
				batches = append(batches, [2][]*nd.Array{l, p})
				update(t, seq, l, p)
			}
			var wg sync.WaitGroup
			for g := 0; g < 4; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					for i := g; i < len(batches); i += 4 {
						if err := m.Update(batches[i][0], batches[i][1]); err != nil {
							t.Error(err)
						}
						_ = Format(m)
					}
				}(g)
			}
			wg.Wait()
			if got, want := globalValue(m), globalValue(seq); !near(got, want, 1e-9) {
				t.Errorf("%s: concurrent %v != sequential %v", c.name, got, want)
			}
			if c.counting && globalValue(m) != globalValue(seq) {
				t.Errorf("%s: counting metric differs under concurrency", c.name)
			}
		})
	}
}

func TestNaNHandling(t *testing.T) {
	nan := float32(math.NaN())
	// Pearson macro: a constant pair gives NaN, which stays until Reset.
	m := mustCreate(t, "pearsonr", nil)
	update(t, m, list(vec(t, 1, 1, 1)), list(vec(t, 1, 2, 3)))
	update(t, m, list(vec(t, 1, 2, 3)), list(vec(t, 1, 2, 3)))
	if !math.IsNaN(value(m)) {
		t.Errorf("pearson after a constant batch = %v, want NaN", value(m))
	}
	// Label NaN is an error for metrics that index by label.
	for _, name := range []string{"ce", "nll_loss", "f1", "pcc"} {
		err := mustCreate(t, name, nil).Update(list(vec(t, 0, nan)), list(f32(t, [][]float32{{.5, .5}, {.5, .5}})))
		if err == nil {
			t.Errorf("%s: NaN label: want an error", name)
		}
	}
	// A failed update leaves the statistics untouched.
	acc := mustCreate(t, "acc", nil)
	update(t, acc, list(vec(t, 1)), list(f32(t, [][]float32{{0, 1}})))
	if err := acc.Update(list(vec(t, 1), vec(t, 1, 2)), list(f32(t, [][]float32{{0, 1}}), f32(t, [][]float32{{0, 1}}))); err == nil {
		t.Fatal("want an error")
	}
	wantValue(t, acc, 1, 0)
	if l, _ := acc.(*Accuracy).Stats(); l.Num != 1 {
		t.Errorf("failed update changed the count to %v", l.Num)
	}
}

// propName names a property case's subtest: the metric and its arguments.
func propName(name string, a Args) string {
	if len(a) == 0 {
		return name
	}
	return name + fmt.Sprint(a)
}
