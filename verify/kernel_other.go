//go:build !amd64 || purego

package verify

import "unsafe"

// haveVectorKernel is false where kernel_amd64.s does not build: pairs are
// scored by the plain Go code of embeddings.go, and the functions below are
// never called.
var haveVectorKernel = false

func einsumBlocks2(_, _, _, _ *float32, _ int, _ *[4]float64) {
	panic("verify: no vector kernel on this architecture")
}

func pairBlocks(_, _, _, _ *float32, _ int, _, _ float64, _ bool) float64 {
	panic("verify: no vector kernel on this architecture")
}

func einsumBlocks2F64(_, _, _, _ *float64, _ int, _ *[4]float64) {
	panic("verify: no vector kernel on this architecture")
}

func pairBlocksF64(_, _, _, _ *float64, _ int, _, _ float64, _ bool) float64 {
	panic("verify: no vector kernel on this architecture")
}

func dotLeaves4(_, _ *float64, _, _ int, _ *[4]float64) {
	panic("verify: no vector kernel on this architecture")
}

func dotShared4(_, _, _, _, _ *float64, _ int, _ *float64) {
	panic("verify: no vector kernel on this architecture")
}

func addFlipWeighted(_, _, _ *float32, _ int, _ float32) {
	panic("verify: no vector kernel on this architecture")
}

func prefetchLines(_ unsafe.Pointer, _ int) {}

// haveAVX512 is false: dotShared8 is never called.
var haveAVX512 = false

func dotShared8(_ *float64, _ *[8]*float64, _ int, _ *float64) {
	panic("verify: no vector kernel on this architecture")
}
