//go:build goexperiment.simd && amd64

package nd

import "simd/archsimd"

var haveAVX2 = archsimd.X86.AVX2()

// simdKernel names the ArgMaxFloat32 kernel in use, for benchmarks and tests.
var simdKernel = map[bool]string{true: "avx2", false: "scalar (no AVX2)"}[haveAVX2]

// argMaxFloat32 is argMaxFloat32Scalar with the "is every element of the
// block <= best?" test done 32 elements at a time with AVX2 compares. The
// compare is ordered, so a NaN fails it just as in the scalar code, and
// every block that fails goes through the same scalar loop: the results are
// identical.
func argMaxFloat32(row []float32) int {
	n := len(row)
	if !haveAVX2 || n < 64 {
		return argMaxFloat32Scalar(row)
	}
	best, bi := row[0], 0
	if best != best {
		return 0
	}
	bv := archsimd.BroadcastFloat32x8(best)
	i := 0
	for ; i+32 <= n; i += 32 {
		v := row[i : i+32 : i+32]
		m := archsimd.LoadFloat32x8((*[8]float32)(v[0:8])).LessEqual(bv).
			And(archsimd.LoadFloat32x8((*[8]float32)(v[8:16])).LessEqual(bv)).
			And(archsimd.LoadFloat32x8((*[8]float32)(v[16:24])).LessEqual(bv)).
			And(archsimd.LoadFloat32x8((*[8]float32)(v[24:32])).LessEqual(bv))
		if m.ToBits() == 0xff {
			continue
		}
		var nan bool
		if best, bi, nan = advance(row, i, i+32, best, bi); nan {
			return bi
		}
		bv = archsimd.BroadcastFloat32x8(best)
	}
	_, bi, _ = advance(row, i, n, best, bi)
	return bi
}
