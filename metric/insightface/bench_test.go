package insightface

import (
	"math/rand/v2"
	"testing"

	"github.com/evalkit/evalkit/internal/memread"
	"github.com/evalkit/evalkit/nd"
)

// insightface's MS1M head: a batch of 512 over 85,742 identities, laid out
// as the network's outputs [embedding, margin softmax, loss].
const benchN, benchC = 512, 85742

func benchOutputs(b *testing.B) (labels, preds []*nd.Array) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 1))
	p := make([]float32, benchN*benchC)
	for i := range p {
		p[i] = r.Float32()
	}
	l := make([]float32, benchN)
	for i := range l {
		l[i] = float32(r.IntN(benchC))
	}
	emb := nd.Must(nd.FromFloat32(make([]float32, benchN*512), benchN, 512))
	loss := nd.Must(nd.FromFloat32([]float32{11.2}, 1))
	return []*nd.Array{nd.Must(nd.FromFloat32(l))}, []*nd.Array{emb, nd.Must(nd.FromFloat32(p, benchN, benchC)), loss}
}

var sink uint64

// BenchmarkMemoryRead is the reference: a plain read of the softmax output.
func BenchmarkMemoryRead(b *testing.B) {
	_, preds := benchOutputs(b)
	f := preds[1].Float32s()
	b.SetBytes(int64(len(f) * 4))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sink = memread.Sum(f)
	}
}

func BenchmarkAccMetricUpdate(b *testing.B) {
	labels, preds := benchOutputs(b)
	m := NewAccMetric()
	b.SetBytes(int64(preds[1].Size() * 4))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := m.Update(labels, preds); err != nil {
			b.Fatal(err)
		}
	}
}
