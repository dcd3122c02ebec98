package nd

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestArgMaxRowsFloat32MatchesRowKernel(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, shape := range [][2]int{{1, 5}, {3, 1}, {7, 1000}, {64, 8192}, {33, 9001}} {
		n, c := shape[0], shape[1]
		data := make([]float32, n*c)
		for i := range data {
			data[i] = r.Float32()
		}
		if n > 2 && c > 3 {
			data[c+3] = float32(math.NaN()) // row 1: NaN wins
			data[2*c] = 2                   // row 2: first element
			data[2*c+c-1] = 2               // tie: first index kept
		}
		dst := make([]int64, n)
		ArgMaxRowsFloat32(data, c, dst)
		for row := 0; row < n; row++ {
			want := int64(argMaxFloat32Scalar(data[row*c : (row+1)*c]))
			if dst[row] != want {
				t.Fatalf("%dx%d row %d: got %d, want %d", n, c, row, dst[row], want)
			}
		}
		if n > 2 && c > 3 && (dst[1] != 3 || dst[2] != 0) {
			t.Errorf("%dx%d: NaN row %d, tie row %d", n, c, dst[1], dst[2])
		}
	}
}

func TestArgMaxRowsFloat32Concurrent(t *testing.T) {
	const n, c = 128, 4096
	data := make([]float32, n*c)
	for row := 0; row < n; row++ {
		data[row*c+row%c] = 1
	}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			dst := make([]int64, n)
			ok := true
			for it := 0; it < 20; it++ {
				ArgMaxRowsFloat32(data, c, dst)
				for row := range dst {
					ok = ok && dst[row] == int64(row%c)
				}
			}
			done <- ok
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Error("wrong arg-max under concurrent calls")
		}
	}
}
