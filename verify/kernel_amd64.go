//go:build !purego

package verify

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// haveVectorKernel reports whether the AVX kernels of kernel_amd64.s run on
// this CPU; without AVX the plain Go code of embeddings.go scores pairs.
var haveVectorKernel = cpu.X86.HasAVX

// einsumBlocks2 and pairBlocks are documented in kernel_amd64.s; kernel.go
// calls them with pointers to at least 8·blocks elements of every row.
//
//go:noescape
func einsumBlocks2(a, af, b, bf *float32, blocks int, out *[4]float64)

//go:noescape
func pairBlocks(a, af, b, bf *float32, blocks int, na, nb float64, cosine bool) float64

//go:noescape
func einsumBlocks2F64(a, af, b, bf *float64, blocks int, out *[4]float64)

//go:noescape
func pairBlocksF64(a, af, b, bf *float64, blocks int, na, nb float64, cosine bool) float64

// dotLeaves4 is documented in kernel_amd64.s; dot.go calls it with rows of
// at least 3·stride + 8·blocks elements and blocks >= 1.
//
//go:noescape
func dotLeaves4(a, b *float64, blocks, stride int, out *[4]float64)

// dotShared4 is documented in kernel_amd64.s; dot.go calls it with rows of
// 128·leaves elements, leaves >= 1, and out of 4·leaves elements.
//
//go:noescape
func dotShared4(b, a0, a1, a2, a3 *float64, leaves int, out *float64)

// addFlipWeighted is documented in kernel_amd64.s.
//
//go:noescape
func addFlipWeighted(dst, a, b *float32, n int, w float32)

// prefetchLines is documented in kernel_amd64.s; it only hints the CPU, so
// any address is safe.
//
//go:noescape
func prefetchLines(p unsafe.Pointer, lines int)

// haveAVX512 reports whether dotShared8 (kernel_dot512_amd64.s) runs on
// this CPU (AVX-512F, with the OS saving the Z registers).
var haveAVX512 = haveVectorKernel && cpu.X86.HasAVX512F

// dotShared8 is documented in kernel_dot512_amd64.s; dot.go calls it with
// rows of 128·leaves elements, leaves >= 1, and out of 8·leaves elements.
//
//go:noescape
func dotShared8(b *float64, a *[8]*float64, leaves int, out *float64)
