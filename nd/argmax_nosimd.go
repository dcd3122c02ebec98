//go:build !goexperiment.simd || !amd64

package nd

func argMaxFloat32(row []float32) int { return argMaxFloat32Scalar(row) }

// simdKernel names the ArgMaxFloat32 kernel in use, for benchmarks and tests.
const simdKernel = "scalar"
