//go:build goexperiment.simd && amd64

package nd

import (
	"simd/archsimd"
	"testing"
)

// BenchmarkMemoryReadAVX2 sums the buffer with AVX2 adds in four
// accumulators: closer to the machine's read bandwidth than
// BenchmarkMemoryRead, whose scalar loop is bound by instruction throughput.
func BenchmarkMemoryReadAVX2(b *testing.B) {
	if !archsimd.X86.AVX2() {
		b.Skip("no AVX2")
	}
	data := benchData()
	b.SetBytes(int64(len(data) * 4))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var s0, s1, s2, s3 archsimd.Float32x8
		i := 0
		for ; i+32 <= len(data); i += 32 {
			v := data[i : i+32 : i+32]
			s0 = s0.Add(archsimd.LoadFloat32x8((*[8]float32)(v[0:8])))
			s1 = s1.Add(archsimd.LoadFloat32x8((*[8]float32)(v[8:16])))
			s2 = s2.Add(archsimd.LoadFloat32x8((*[8]float32)(v[16:24])))
			s3 = s3.Add(archsimd.LoadFloat32x8((*[8]float32)(v[24:32])))
		}
		var out [8]float32
		s0.Add(s1).Add(s2.Add(s3)).Store(&out)
		sinkF32 = out[0] + out[7]
		for ; i < len(data); i++ {
			sinkF32 += data[i]
		}
	}
}
