package memread

import (
	"math"
	"testing"
)

func TestSumWordsReadsEverything(t *testing.T) {
	// Element i holds the bits i+1: even elements land in the low half of
	// a word, odd ones in the high half; an odd tail is added as a low half.
	for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 33} {
		data := make([]float32, n)
		var want uint64
		for i := range data {
			data[i] = math.Float32frombits(uint32(i + 1))
			if i%2 == 0 {
				want += uint64(i + 1)
			} else {
				want += uint64(i+1) << 32
			}
		}
		if got := sumWords(data); got != want {
			t.Errorf("n=%d: sumWords = %d, want %d", n, got, want)
		}
	}
	if Kind() == "" {
		t.Error("empty Kind")
	}
}
