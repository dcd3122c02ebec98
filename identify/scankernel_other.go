//go:build !amd64 || purego

package identify

// haveScanKernel is false where scankernel_amd64.s does not build: rows are
// scanned by the plain Go loops of scankernel.go, and the functions below
// are never called.
const haveScanKernel = false

func maxBlocks32(_ *float32, _ int) float32 { panic("identify: no scan kernel on this architecture") }

func maxBlocks64(_ *float64, _ int) float64 { panic("identify: no scan kernel on this architecture") }

func firstGEBlocks32(_ *float32, _ int, _ float32) int {
	panic("identify: no scan kernel on this architecture")
}

func firstGEBlocks64(_ *float64, _ int, _ float64) int {
	panic("identify: no scan kernel on this architecture")
}

func dot4Blocks64(_, _, _, _, _ *float64, _ int, _ *[16]float64) {
	panic("identify: no scan kernel on this architecture")
}

func finiteBlocks64(_ *float64, _ int) bool { panic("identify: no scan kernel on this architecture") }

func toFloat32Blocks(_ *float32, _ *float64, _ int) bool {
	panic("identify: no scan kernel on this architecture")
}

func finiteBlocks32(_ *float32, _ int) bool { panic("identify: no scan kernel on this architecture") }

func collectGEBlocks32(_ *float32, _ int, _ float32, _ *int32) int {
	panic("identify: no scan kernel on this architecture")
}

func collectGEBlocks64(_ *float64, _ int, _ float64, _ *int32) int {
	panic("identify: no scan kernel on this architecture")
}
