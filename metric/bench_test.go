package metric

import (
	"github.com/evalkit/evalkit/internal/memread"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// insightface's MS1M head: a batch of 512 over 85,742 identities.
const benchN, benchC = 512, 85742

var benchData struct {
	once   sync.Once
	logits *nd.Array
	probs  *nd.Array
	labels *nd.Array
	binary *nd.Array
	bin2   *nd.Array
}

func benchInputs(b *testing.B) {
	b.Helper()
	benchData.once.Do(func() {
		r := rand.New(rand.NewPCG(1, 1))
		f := make([]float32, benchN*benchC)
		for i := range f {
			f[i] = r.Float32()
		}
		benchData.logits = nd.Must(nd.FromFloat32(f, benchN, benchC))
		p := make([]float32, benchN*benchC)
		for i := range p {
			p[i] = f[i] / benchC * 2
		}
		benchData.probs = nd.Must(nd.FromFloat32(p, benchN, benchC))
		l := make([]float32, benchN)
		bl := make([]float32, benchN)
		for i := range l {
			l[i] = float32(r.IntN(benchC))
			bl[i] = float32(r.IntN(2))
		}
		benchData.labels = nd.Must(nd.FromFloat32(l))
		benchData.binary = nd.Must(nd.FromFloat32(bl))
	})
}

func benchUpdate(b *testing.B, m Metric, labels, preds *nd.Array) {
	benchInputs(b)
	ls, ps := []*nd.Array{labels}, []*nd.Array{preds}
	if err := m.Update(ls, ps); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(preds.Size() * 4))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := m.Update(ls, ps); err != nil {
			b.Fatal(err)
		}
	}
}

var sink uint64

// BenchmarkMemoryRead is the reference: a plain read of the logits with the
// fastest loop this build has (internal/memread: AVX2 under
// GOEXPERIMENT=simd, uint64 words otherwise).
func BenchmarkMemoryRead(b *testing.B) {
	benchInputs(b)
	f := benchData.logits.Float32s()
	b.SetBytes(int64(len(f) * 4))
	b.ReportAllocs()
	for b.Loop() {
		sink = memread.Sum(f)
	}
}

func BenchmarkAccuracyUpdate(b *testing.B) {
	benchInputs(b)
	benchUpdate(b, NewAccuracy(1, Options{}), benchData.labels, benchData.logits)
}

func BenchmarkTopKAccuracyUpdate(b *testing.B) {
	benchInputs(b)
	m, _ := NewTopKAccuracy(5, Options{})
	benchUpdate(b, m, benchData.labels, benchData.logits)
}

func BenchmarkCrossEntropyUpdate(b *testing.B) {
	benchInputs(b)
	benchUpdate(b, NewCrossEntropy(1e-12, Options{}), benchData.labels, benchData.probs)
}

func BenchmarkPerplexityUpdate(b *testing.B) {
	benchInputs(b)
	ig := int64(-1)
	benchUpdate(b, NewPerplexity(&ig, -1, Options{}), benchData.labels, benchData.probs)
}

func BenchmarkF1Update(b *testing.B) {
	benchInputs(b)
	m, _ := NewF1("macro", Options{})
	benchUpdate(b, m, benchData.binary, benchData.logits)
}

// BenchmarkTopKAccuracyUpdateTrained is TopK where every label holds the
// row's maximum, as for a trained network: every row is scanned in full.
func BenchmarkTopKAccuracyUpdateTrained(b *testing.B) {
	benchInputs(b)
	f := benchData.logits.Float32s()
	l := make([]float32, benchN)
	for r := range l {
		l[r] = float32(nd.ArgMaxFloat32(f[r*benchC : (r+1)*benchC]))
	}
	m, _ := NewTopKAccuracy(5, Options{})
	benchUpdate(b, m, nd.Must(nd.FromFloat32(l)), benchData.logits)
}

// BenchmarkAccuracyUpdateSmall is the per-call cost of Update on one sample
// of two classes: list checks, one arg-max, and the mutex-guarded Add.
func BenchmarkAccuracyUpdateSmall(b *testing.B) {
	m := NewAccuracy(1, Options{})
	ls := []*nd.Array{nd.Must(nd.FromFloat32([]float32{1}))}
	ps := []*nd.Array{nd.Must(nd.FromFloat32([]float32{0.3, 0.7}, 1, 2))}
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Update(ls, ps); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAccuracyUpdateSmallParallel is the same from every core at once,
// contending for the metric's mutex.
func BenchmarkAccuracyUpdateSmallParallel(b *testing.B) {
	m := NewAccuracy(1, Options{})
	ls := []*nd.Array{nd.Must(nd.FromFloat32([]float32{1}))}
	ps := []*nd.Array{nd.Must(nd.FromFloat32([]float32{0.3, 0.7}, 1, 2))}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := m.Update(ls, ps); err != nil {
				b.Error(err)
			}
		}
	})
}

// BenchmarkBaseAdd is the mutex-guarded accumulation alone.
func BenchmarkBaseAdd(b *testing.B) {
	m := NewAccuracy(1, Options{})
	for b.Loop() {
		m.Add(1, 1)
	}
}
