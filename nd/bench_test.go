package nd

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/evalkit/evalkit/internal/memread"
)

// The insightface MS1M head: a batch of 512 rows of 85,742 class logits.
const benchRows, benchCols = 512, 85742

var benchData = sync.OnceValue(func() []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	v := make([]float32, benchRows*benchCols)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
})

var sinkInt int
var sinkF32 float32
var sinkU64 uint64

// BenchmarkArgMaxFloat32 is Accuracy's hot loop over one batch of logits.
// Compare its MB/s with BenchmarkMemoryRead's from the same run.
func BenchmarkArgMaxFloat32(b *testing.B) { benchRowKernel(b, ArgMaxFloat32) }

// BenchmarkArgMaxFloat32Scalar is the plain-Go kernel, for comparison when
// ArgMaxFloat32 is built with GOEXPERIMENT=simd.
func BenchmarkArgMaxFloat32Scalar(b *testing.B) { benchRowKernel(b, argMaxFloat32Scalar) }

// benchRowKernel runs kernel over every row of the benchmark batch.
func benchRowKernel(b *testing.B, kernel func([]float32) int) {
	data := benchData()
	b.SetBytes(int64(len(data) * 4))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s := 0
		for r := range benchRows {
			s += kernel(data[r*benchCols : (r+1)*benchCols])
		}
		sinkInt = s
	}
}

// BenchmarkMemoryRead is the ceiling for any one-pass kernel over the
// buffer: internal/memread's read loop (AVX2 under GOEXPERIMENT=simd,
// uint64 words in four accumulators otherwise).
func BenchmarkMemoryRead(b *testing.B) {
	data := benchData()
	b.SetBytes(int64(len(data) * 4))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sinkU64 = memread.Sum(data)
	}
}

// BenchmarkSumFloat32 sums the buffer as float32 with eight accumulators.
func BenchmarkSumFloat32(b *testing.B) {
	data := benchData()
	b.SetBytes(int64(len(data) * 4))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var s0, s1, s2, s3, s4, s5, s6, s7 float32
		i := 0
		for ; i+8 <= len(data); i += 8 {
			v := data[i : i+8 : i+8]
			s0 += v[0]
			s1 += v[1]
			s2 += v[2]
			s3 += v[3]
			s4 += v[4]
			s5 += v[5]
			s6 += v[6]
			s7 += v[7]
		}
		for ; i < len(data); i++ {
			s0 += data[i]
		}
		sinkF32 = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7
	}
}

// BenchmarkTopK5 is top-5 selection over the same batch.
func BenchmarkTopK5(b *testing.B) {
	a := Must(FromFloat32(benchData(), benchRows, benchCols))
	b.SetBytes(int64(benchRows * benchCols * 4))
	b.ReportAllocs()
	dst := make([]int64, 0, benchRows*5)
	b.ResetTimer()
	for b.Loop() {
		var err error
		if dst, _, err = TopK(a, 5, 1, dst); err != nil {
			b.Fatal(err)
		}
	}
}
