// Command identify measures evalkit's 1:N search against bare GEMM on the
// same matrices in the same process: random unit-norm float32 probes and
// gallery, searched for the top K, and the same products computed by the
// backend's sgemm in large multi-threaded calls whose output is discarded.
// It prints both throughputs, their ratio, the machine's load and the
// process's peak memory beyond the inputs.
//
//	go run ./bench/identify -probes 10000 -gallery 1000000 -blas openblas
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/evalkit/evalkit/identify"
	"github.com/evalkit/evalkit/internal/blas"
)

func main() {
	probes := flag.Int("probes", 10000, "probes")
	gallery := flag.Int("gallery", 1000000, "gallery rows")
	dim := flag.Int("dim", 512, "feature dimension")
	k := flag.Int("k", 10, "candidates kept per probe")
	backend := flag.String("blas", "openblas", "gonum or openblas")
	chunk := flag.Int("chunk", 4096, "gallery rows per bare sgemm call")
	reps := flag.Int("reps", 1, "repetitions (bare, search, bare, search, …)")
	pblock := flag.Int("probe-block", 0, "probes per search block (0: the library's default)")
	gblock := flag.Int("gallery-block", 0, "gallery rows per search block (0: the library's default)")
	flag.Parse()
	b, err := blas.Select(*backend)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("backend: %s\nload before: %s", blas.Describe(b), loadavg())
	base := peakRSS()
	p := randomUnit(*probes, *dim, 1)
	g := randomUnit(*gallery, *dim, 2)
	inputs := float64(len(p)+len(g)) * 4
	flops := 2 * float64(*probes) * float64(*gallery) * float64(*dim)
	fmt.Printf("%d probes × %d gallery × %d-d, top-%d: %.3g TFLOP per pass, inputs %.3g GB\n", *probes, *gallery, *dim, *k, flops/1e12, inputs/1e9)
	ids := make([]int64, *gallery)
	for i := range ids {
		ids[i] = int64(i)
	}
	pids := make([]int64, *probes)
	for i := range pids {
		pids[i] = int64(i * 7 % *gallery)
	}
	pm, _ := identify.Float32Matrix(p, *probes, *dim)
	gm, _ := identify.Float32Matrix(g, *gallery, *dim)
	afterInputs := peakRSS()
	var bare, search, bareCPU, searchCPU []float64
	var searchPeak int64
	for r := range *reps {
		// the search first, so the peak it reaches is its own
		cpu0 := cpuSeconds()
		search = append(search, timeIt(func() {
			st, err := identify.NewState(pids, identify.Config{K: *k, GallerySize: int64(*gallery)})
			if err != nil {
				panic(err)
			}
			if err := st.Search(pm, identify.Shard{Features: gm, IDs: ids}, identify.SearchOptions{Backend: b, ProbeBlock: *pblock, GalleryBlock: *gblock}); err != nil {
				panic(err)
			}
		}))
		if r == 0 {
			searchPeak = peakRSS() - afterInputs
		}
		cpu1 := cpuSeconds()
		searchCPU = append(searchCPU, cpu1-cpu0)
		fmt.Printf("search top-%d: %.2f s, %.1f GFLOP/s (CPU %.2f s)\n", *k, search[len(search)-1], flops/search[len(search)-1]/1e9, cpu1-cpu0)
		bare = append(bare, timeIt(func() { bareGemm(b, p, g, *probes, *gallery, *dim, *chunk) }))
		bareCPU = append(bareCPU, cpuSeconds()-cpu1)
		fmt.Printf("bare sgemm: %.2f s, %.1f GFLOP/s (CPU %.2f s)\n", bare[len(bare)-1], flops/bare[len(bare)-1]/1e9, bareCPU[len(bareCPU)-1])
	}
	bb, ss := minOf(bare), minOf(search)
	fmt.Printf("best: bare %.1f GFLOP/s, search %.1f GFLOP/s, search/bare = %.1f %%\n", flops/bb/1e9, flops/ss/1e9, 100*bb/ss)
	if cb, cs := minOf(bareCPU), minOf(searchCPU); cs > 0 {
		// CPU time (user + system) is the steadier figure on a shared
		// machine, where other jobs stretch both sides' wall time
		fmt.Printf("CPU time: bare %.2f s, search %.2f s, bare/search = %.1f %%\n", cb, cs, 100*cb/cs)
	}
	fmt.Printf("peak memory: inputs %.3g GB (process %.3g GB after generating them); the first search added %.3g MB\n",
		inputs/1e9, float64(afterInputs-base)/1e9, float64(searchPeak)/1e6)
	fmt.Printf("load after: %s", loadavg())
}

// bareGemm computes every probe × gallery score in calls of chunk gallery
// rows, with the library's own threading (for gonum, gonum's Sgemm itself,
// which spreads a call over all cores), and discards them.
func bareGemm(b blas.Backend, p, g []float32, np, ng, d, chunk int) {
	c := make([]float32, np*chunk)
	for j := 0; j < ng; j += chunk {
		n := min(chunk, ng-j)
		if _, ok := b.(blas.Gonum); ok {
			gonum.Implementation{}.Sgemm(gblas.NoTrans, gblas.Trans, np, n, d, 1, p, d, g[j*d:(j+n)*d], d, 0, c, n)
		} else {
			b.SgemmNT(np, n, d, p, d, g[j*d:(j+n)*d], d, c, n)
		}
	}
	runtime.KeepAlive(c)
}

func randomUnit(n, d int, seed uint64) []float32 {
	out := make([]float32, n*d)
	var wg sync.WaitGroup
	w := runtime.GOMAXPROCS(0)
	for t := range w {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(t)))
			for i := t * n / w; i < (t+1)*n/w; i++ {
				row := out[i*d : (i+1)*d]
				s := 0.0
				for j := range row {
					row[j] = float32(r.NormFloat64())
					s += float64(row[j]) * float64(row[j])
				}
				inv := float32(1 / math.Sqrt(s))
				for j := range row {
					row[j] *= inv
				}
			}
		})
	}
	wg.Wait()
	return out
}

func timeIt(f func()) float64 {
	t := time.Now()
	f()
	return time.Since(t).Seconds()
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

// peakRSS is VmHWM from /proc/self/status in bytes (0 where unavailable).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), "%d", &kb); err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// cpuSeconds is the process's user + system CPU time from /proc/self/stat
// (0 where unavailable), in clock ticks of 1/100 s.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// the fields after the command name (in parentheses, may hold spaces)
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	var ut, st float64
	if _, err := fmt.Sscan(f[11], &ut); err != nil {
		return 0
	}
	if _, err := fmt.Sscan(f[12], &st); err != nil {
		return 0
	}
	return (ut + st) / 100
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown\n"
	}
	return string(b)
}
