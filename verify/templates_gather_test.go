package verify

import (
	"slices"
	"strings"
	"testing"
)

func TestTemplatesGather(t *testing.T) {
	tm := &Templates{IDs: []int64{3, 7}, Dim: 2, Features: []float64{1, 2, 3, 4}, index: templateIndex{m: map[int64]int32{3: 0, 7: 1}}}
	got, err := tm.Gather([]int64{7, 3, 7})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{3, 4, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("Gather = %v, want %v", got, want)
	}
	got[0] = 99
	if tm.Features[2] != 3 {
		t.Error("Gather's result aliases the features")
	}
	if _, err := tm.Gather([]int64{3, 5}); err == nil || !strings.Contains(err.Error(), "template 5 has no images") {
		t.Errorf("missing template: %v", err)
	}
}
