package identify

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestFiniteKernels(t *testing.T) {
	testFinite[float32](t)
	testFinite[float64](t)
}

// testFinite compares firstNonFinite with a plain loop on rows of every
// length 0…70 at offsets 0…7 of a buffer that is NaN outside the row (a
// kernel reading past the row would see it), with NaN, +Inf or -Inf at
// random places or none.
func testFinite[T float32 | float64](t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	buf := make([]T, 96)
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1)}
	for n := 0; n <= 70; n++ {
		for off := range 8 {
			for rep := range 6 {
				for i := range buf {
					buf[i] = T(math.NaN())
				}
				row := buf[off : off+n]
				for i := range row {
					row[i] = T(r.NormFloat64() * 1e30)
				}
				want := -1
				if n > 0 && rep > 0 {
					want = r.IntN(n)
					row[want] = T(bad[rep%3])
					if rep > 3 && want+1 < n { // a second one after it
						row[want+1+r.IntN(n-want-1)] = T(bad[(rep+1)%3])
					}
				}
				if got := firstNonFinite(row); got != want {
					t.Fatalf("n=%d off=%d rep=%d: firstNonFinite = %d, want %d (row %v)", n, off, rep, got, want, row)
				}
			}
		}
	}
}

// TestRoundFloat32 compares roundFloat32 with Go's float32 conversion bit
// for bit, and its report with the results' finiteness, on every length
// 0…70 with values that overflow, round to the largest float32, tie, or
// underflow to subnormals and zero.
func TestRoundFloat32(t *testing.T) {
	special := []float64{
		1e39, -1e39, math.MaxFloat32, math.MaxFloat32 * (1 + 0x1p-26), // the last rounds down to MaxFloat32
		math.MaxFloat32 * (1 + 0x1p-24), // halfway to the next power: rounds to +Inf
		1 + 0x1p-24, 1 + 0x1p-23 + 0x1p-24, 1e-45, 1e-46, math.Copysign(0, -1),
		math.NaN(), math.Inf(1), math.Inf(-1),
	}
	r := rand.New(rand.NewPCG(13, 14))
	src := make([]float64, 80)
	dst := make([]float32, 80)
	for n := 0; n <= 70; n++ {
		for rep := range 30 {
			off := rep % 4
			s := src[off : off+n]
			for i := range s {
				s[i] = r.NormFloat64()
				if r.IntN(8) == 0 || (rep%3 == 0 && r.IntN(n) == 0) {
					s[i] = special[r.IntN(len(special))]
				}
			}
			d := dst[off : off+n]
			ok := roundFloat32(d, s)
			wantOK := true
			for i, v := range s {
				w := float32(v)
				if math.Float32bits(d[i]) != math.Float32bits(w) {
					t.Fatalf("n=%d: float32(%v) = %v, roundFloat32 gave %v", n, v, w, d[i])
				}
				wantOK = wantOK && !math.IsNaN(float64(w)) && !math.IsInf(float64(w), 0)
			}
			if ok != wantOK {
				t.Fatalf("n=%d: roundFloat32 reports %v, want %v (%v)", n, ok, wantOK, s)
			}
		}
	}
}

// TestCheckFiniteParallel: split among goroutines, the check still names
// the first bad value, not the first one its goroutine found.
func TestCheckFiniteParallel(t *testing.T) {
	const cols = 512
	v := make([]float32, 4*parallelMin)
	v[len(v)-1] = float32(math.Inf(1))
	v[3*parallelMin+5] = float32(math.NaN())
	v[parallelMin+cols+3] = float32(math.Inf(-1)) // row 129, column 3
	m, _ := Float32Matrix(v, len(v)/cols, cols)
	for _, threads := range []int{1, 2, 4, 8} {
		err := m.checkFinite("gallery", threads)
		if want := "gallery row 129, column 3 is -Inf"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%d threads: %v, want %q", threads, err, want)
		}
	}
}

// TestRefinedOverflow: float64 features beyond float32's range cannot be
// prefiltered in float32; the search runs float64 GEMM instead and gives
// its result.
func TestRefinedOverflow(t *testing.T) {
	gal, gids := loadMatrix(t, "lib_gallery.npy"), loadIDs(t, "lib_gallery_ids.npy")
	pr, pids := loadMatrix(t, "lib_probes.npy"), loadIDs(t, "lib_probe_ids.npy")
	big := append([]float64(nil), gal.F64...)
	for i := 7 * gal.Cols; i < 8*gal.Cols; i++ {
		big[i] *= 1e40 // row 7 scores about 1e39 against every probe
	}
	bm, _ := Float64Matrix(big, gal.Rows, gal.Cols)
	cfg := Config{K: 3}
	got := search(t, pr, pids, bm, gids, nil, cfg, SearchOptions{})
	want := search(t, pr, pids, bm, gids, nil, cfg, SearchOptions{Float64GEMM: true})
	if mustJSON(t, got) != mustJSON(t, want) {
		t.Error("the refined search of features beyond float32's range differs from the float64 search")
	}
	first := 0
	for p := range pr.Rows {
		for r, c := range got.Candidates(p) {
			if c.Index == 7 && r > 0 {
				t.Fatalf("probe %d: row 7 (scores ±1e39) ranks %d", p, r+1)
			}
		}
		if got.Candidates(p)[0].Index == 7 {
			first++
		}
	}
	if first == 0 || first == pr.Rows {
		t.Errorf("row 7 ranks first for %d of %d probes; want those of positive score", first, pr.Rows)
	}
}

// TestRoundFloat32Pieces: a long input goes to the kernel in pieces; every
// value is still rounded, and a bad value in any piece is reported.
func TestRoundFloat32Pieces(t *testing.T) {
	n := 3*kernelPiece + 5
	src := make([]float64, n)
	for i := range src {
		src[i] = float64(i) + 0.1
	}
	dst := make([]float32, n)
	if !roundFloat32(dst, src) {
		t.Fatal("finite values reported not finite")
	}
	for _, bad := range []int{kernelPiece + 3, n - 1} {
		src[bad] = 1e39
		ok := roundFloat32(dst, src)
		src[bad] = 0.5
		if ok {
			t.Errorf("1e39 at %d not reported", bad)
		}
		for i, v := range src {
			if i != bad && dst[i] != float32(v) {
				t.Fatalf("bad value at %d: dst[%d] = %v, want %v", bad, i, dst[i], float32(v))
			}
		}
	}
}
