package verify

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// fakePairs is a PairSource over slices, in blocks of size, served in
// reverse order from two goroutines.
type fakePairs struct {
	t1, t2 []int64
	lab    []int8
	size   int
}

func (f *fakePairs) Slots() int   { return len(f.t1) }
func (f *fakePairs) Workers() int { return 2 }
func (f *fakePairs) Each(fn func(worker, first int, t1, t2 []int64, labels []int8) error) error {
	var starts []int
	for s := 0; s < len(f.t1); s += f.size {
		starts = append(starts, s)
	}
	slices.Reverse(starts)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < len(starts); k += 2 {
				s := starts[k]
				e := min(len(f.t1), s+f.size)
				if err := fn(w, s, f.t1[s:e], f.t2[s:e], f.lab[s:e]); err != nil && errs[w] == nil {
					errs[w] = err
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func testTemplates(t *testing.T, sparse bool) *Templates {
	t.Helper()
	g := &glibcLCG{s: 11}
	const n, d = 300, 512
	feats := make([]float32, n*d)
	for i := range feats {
		feats[i] = float32(g.next() - 0.5)
	}
	tids, mids := make([]int64, n), make([]int64, n)
	for i := range tids {
		tids[i], mids[i] = int64(i%40), int64(i%70)
		if sparse {
			tids[i] = tids[i]<<40 - 7
		}
	}
	tm, err := AggregateTemplates(nd.Must(nd.FromFloat32(feats, n, d)), tids, mids, TemplateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if (tm.index.table == nil) != sparse {
		t.Fatalf("sparse=%v: dense table %v", sparse, tm.index.table != nil)
	}
	return tm
}

// TestScorePairSource scores pairs streamed in blocks, with empty slots,
// against dotPairwise of each pair's rows, for dense and sparse ids.
func TestScorePairSource(t *testing.T) {
	// blocks of 97 pairs give groups of a few pairs per second template,
	// of 1500 many groups of eight and more (dot8 on AVX-512 CPUs)
	for _, c := range []struct {
		sparse bool
		size   int
	}{{false, 97}, {true, 97}, {false, 1500}} {
		sparse := c.sparse
		tm := testTemplates(t, sparse)
		g := &glibcLCG{s: 3}
		src := &fakePairs{size: c.size}
		var want []float64
		var wantLab []bool
		for k := 0; k < 3000; k++ {
			if k%501 == 7 {
				src.t1, src.t2, src.lab = append(src.t1, 0), append(src.t2, 0), append(src.lab, -1)
				continue
			}
			a, b := tm.IDs[int(g.next()*40)], tm.IDs[int(g.next()*40)]
			l := int8(0)
			if a == b {
				l = 1
			}
			src.t1, src.t2, src.lab = append(src.t1, a), append(src.t2, b), append(src.lab, l)
			ra, _ := tm.Row(a)
			rb, _ := tm.Row(b)
			want, wantLab = append(want, dotPairwise(ra, rb)), append(wantLab, l == 1)
		}
		got, lab, err := tm.ScorePairSource(src)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("sparse=%v: %d scores, want %d", sparse, len(got), len(want))
		}
		for k := range want {
			if math.Float64bits(got[k]) != math.Float64bits(want[k]) || lab[k] != wantLab[k] {
				t.Fatalf("sparse=%v pair %d: %v %v, want %v %v", sparse, k, got[k], lab[k], want[k], wantLab[k])
			}
		}
		src.t2[1234] = 999
		if _, _, err := tm.ScorePairSource(src); err == nil || !strings.Contains(err.Error(), "slot 1234 (line 1235 of a pair file) names template 999") {
			t.Errorf("unknown template: err = %v", err)
		}
	}
}

// TestTemplateSumPaths checks that the fused template sum (image features
// added straight into the media sums) equals the checked path through
// imageFeature bit for bit, in both precisions, with and without flips and
// detector scores.
func TestTemplateSumPaths(t *testing.T) {
	for _, d := range []int{3, 24, 27, 512} {
		testTemplateSumPaths(t, d)
	}
}

func testTemplateSumPaths(t *testing.T, d int) {
	g := &glibcLCG{s: 21}
	const n = 40
	x32, x64 := make([]float32, n*2*d), make([]float64, n*2*d)
	for i := range x32 {
		v := (g.next() - 0.5) * 100
		x32[i], x64[i] = float32(v), v
	}
	det := make([]float32, n)
	media := make([]int64, n)
	rows := make([]int32, n)
	for i := range det {
		det[i] = float32(g.next())
		media[i] = int64(i / 3 % 5 * (i % 2))
		rows[i] = int32(i)
	}
	slices.SortStableFunc(rows, func(a, b int32) int { return int(media[a] - media[b]) })
	for _, opts := range []TemplateOptions{{}, {FlipHalves: true}, {DetectorScores: det}, {FlipHalves: true, DetectorScores: det}} {
		check := func(fast, checked []float64) {
			t.Helper()
			for j := range fast {
				if math.Float64bits(fast[j]) != math.Float64bits(checked[j]) {
					t.Fatalf("d=%d %+v: element %d: fused %v, checked %v", d, opts, j, fast[j], checked[j])
				}
			}
		}
		{
			ms, mean, ms2, img, sq := make([]float32, d), make([]float32, d), make([]float32, d), make([]float32, d), make([]float32, d)
			if !templateSum(x32, 2*d, rows, media, opts, ms, mean) {
				t.Fatal("not finite")
			}
			if err := templateSumChecked(x32, 2*d, rows, media, opts, ms2, mean, img, sq); err != nil {
				t.Fatal(err)
			}
			a, b := make([]float64, d), make([]float64, d)
			for j := range a {
				a[j], b[j] = float64(ms[j]), float64(ms2[j])
			}
			check(a, b)
		}
		ms, mean, ms2, img, sq := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
		if !templateSum(x64, 2*d, rows, media, opts, ms, mean) {
			t.Fatal("not finite")
		}
		if err := templateSumChecked(x64, 2*d, rows, media, opts, ms2, mean, img, sq); err != nil {
			t.Fatal(err)
		}
		check(ms, ms2)
	}
}
