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

func TestInTopKRowsFloat32MatchesRowKernel(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, shape := range [][2]int{{5, 7}, {64, 8192}, {33, 9001}} {
		n, c := shape[0], shape[1]
		data := make([]float32, n*c)
		for i := range data {
			data[i] = r.Float32()
		}
		labels := make([]int64, n)
		for i := range labels {
			switch i % 4 {
			case 0: // the row's maximum: always in the top k
				labels[i] = int64(argMaxFloat32Scalar(data[i*c : (i+1)*c]))
			case 1:
				labels[i] = -1 // never counts
			default:
				labels[i] = int64(r.IntN(c))
			}
		}
		for _, k := range []int{1, 3, c} {
			var want int64
			for i, l := range labels {
				if l >= 0 && RankOf(data[i*c:(i+1)*c], int(l)) < k {
					want++
				}
			}
			if got := InTopKRowsFloat32(data, c, labels, k); got != want {
				t.Errorf("%dx%d k=%d: %d hits, want %d", n, c, k, got, want)
			}
		}
	}
}
