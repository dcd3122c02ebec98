//go:build !purego

package identify

import "golang.org/x/sys/cpu"

// haveScanKernel reports whether the AVX kernels of scankernel_amd64.s run
// on this CPU (and the OS saves the YMM registers); without AVX the plain
// Go loops of scankernel.go scan the rows.
var haveScanKernel = cpu.X86.HasAVX

// The kernels are documented in scankernel_amd64.s; scankernel.go calls
// them with pointers to at least n elements, n a multiple of 8 (float32)
// or 4 (float64).

//go:noescape
func maxBlocks32(x *float32, n int) float32

//go:noescape
func maxBlocks64(x *float64, n int) float64

//go:noescape
func firstGEBlocks32(x *float32, n int, thr float32) int

//go:noescape
func firstGEBlocks64(x *float64, n int, thr float64) int

// dot4Blocks64 is documented in scankernel_amd64.s; dot64x4 calls it with
// rows of at least 4·blocks elements.
//
//go:noescape
func dot4Blocks64(a, b0, b1, b2, b3 *float64, blocks int, out *[16]float64)

// finiteBlocks64 and toFloat32Blocks are documented in scankernel_amd64.s;
// finite.go calls them with n a multiple of 4.
//
//go:noescape
func finiteBlocks64(x *float64, n int) bool

//go:noescape
func toFloat32Blocks(dst *float32, src *float64, n int) bool

//go:noescape
func finiteBlocks32(x *float32, n int) bool

// collectGEBlocks32 and collectGEBlocks64 are documented in
// scankernel_amd64.s; collectGE calls them with out of room for n.
//
//go:noescape
func collectGEBlocks32(x *float32, n int, thr float32, out *int32) int

//go:noescape
func collectGEBlocks64(x *float64, n int, thr float64, out *int32) int
