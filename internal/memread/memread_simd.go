//go:build goexperiment.simd && amd64

package memread

import (
	"math"
	"simd/archsimd"
)

func sum(data []float32) uint64 {
	if !archsimd.X86.AVX2() {
		return sumWords(data)
	}
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
	var t float32
	for _, v := range out {
		t += v
	}
	for ; i < len(data); i++ {
		t += data[i]
	}
	return uint64(math.Float32bits(t))
}

func kind() string {
	if archsimd.X86.AVX2() {
		return "avx2"
	}
	return "uint64x4"
}
