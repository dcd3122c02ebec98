//go:build !(goexperiment.simd && amd64)

package memread

func sum(data []float32) uint64 { return sumWords(data) }

func kind() string { return "uint64x4" }
