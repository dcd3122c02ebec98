package verify

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// plainPair scores rows ia and ib with the plain Go path of embeddings.go.
func plainPair(t testing.TB, r *rows, ia, ib int, score Score) (float64, [4]float64) {
	t.Helper()
	x := make([]float64, 4*r.d)
	e1, e2, tmp, sq := x[:r.d], x[r.d:2*r.d], x[2*r.d:3*r.d], x[3*r.d:]
	oa, fa, err := r.load(e1, tmp, ia)
	if err != nil {
		t.Fatal(err)
	}
	ob, fb, err := r.load(e2, tmp, ib)
	if err != nil {
		t.Fatal(err)
	}
	normalizePair(e1, e2)
	return pairScore(e1, e2, sq, score), [4]float64{oa, fa, ob, fb}
}

// checkKernel compares the vector kernel with the plain path bit for bit on
// pair (rows 0, 1) of emb (and flip), for both scores.
func checkKernel[T float32 | float64](t testing.TB, emb, flip []T, d int) {
	t.Helper()
	arr := func(x []T) *nd.Array {
		switch x := any(x).(type) {
		case []float32:
			return nd.Must(nd.FromFloat32(x, 2, d))
		case []float64:
			return nd.Must(nd.FromFloat64(x, 2, d))
		}
		return nil
	}
	var f *nd.Array
	if flip != nil {
		f = arr(flip)
	}
	r, err := newRows(arr(emb), f)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []Score{SquaredL2, Cosine} {
		got, gotNorms, ok := r.vectorScore(0, 1, sc)
		if !ok {
			t.Fatalf("%T d=%d flip=%v: kernel refused finite rows", emb, d, flip != nil)
		}
		want, wantNorms := plainPair(t, r, 0, 1, sc)
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%T d=%d flip=%v %v: kernel %.17g (%#x), plain %.17g (%#x)", emb, d, flip != nil, sc, got, math.Float64bits(got), want, math.Float64bits(want))
		}
		for k := range wantNorms {
			if math.Float64bits(gotNorms[k]) != math.Float64bits(wantNorms[k]) {
				t.Fatalf("%T d=%d flip=%v: norm %d kernel %.17g, plain %.17g", emb, d, flip != nil, k, gotNorms[k], wantNorms[k])
			}
		}
	}
}

// TestVectorKernel checks that the vector kernel's scores and norms are
// those of the plain path, bit for bit, for float32 and float64 rows, every
// length class of numpy's pairwise sum (below 8, one leaf, split leaves,
// ragged tails), with and without flips, over values of very different
// magnitudes.
func TestVectorKernel(t *testing.T) {
	if !haveVectorKernel {
		t.Skip("no vector kernel on this CPU or architecture")
	}
	g := &glibcLCG{s: 11}
	scales := []float64{1, 1e-3, 1e3, 1e-20, 1e30, 1e-40}
	for _, d := range []int{1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 100, 127, 128, 129, 130, 136, 255, 256, 257, 300, 512, 513, 1000, 1031} {
		for trial := 0; trial < 6; trial++ {
			emb, flip := make([]float32, 2*d), make([]float32, 2*d)
			emb64, flip64 := make([]float64, 2*d), make([]float64, 2*d)
			for i := range emb {
				s := scales[(trial+i/d)%len(scales)]
				emb64[i] = (g.next() - 0.5) * s
				flip64[i] = (g.next() - 0.5) * s
				emb[i], flip[i] = float32(emb64[i]), float32(flip64[i])
			}
			if trial == 5 {
				clear(emb[:d]) // a zero row stays zero (scale 1)
				clear(emb64[:d])
			}
			checkKernel(t, emb, nil, d)
			checkKernel(t, emb, flip, d)
			checkKernel(t, emb64, nil, d)
			checkKernel(t, emb64, flip64, d)
		}
	}
}

// TestVectorKernelNonFinite checks that a NaN or infinite row still gets
// the plain path's error naming the value.
func TestVectorKernelNonFinite(t *testing.T) {
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		emb := make([]float32, 4*64)
		for i := range emb {
			emb[i] = float32(i%7) - 3
		}
		emb[3*64+10] = bad
		_, _, err := PairScores(nd.Must(nd.FromFloat32(emb, 4, 64)), nil, SquaredL2)
		if err == nil || !strings.Contains(err.Error(), "row 3, column 10") {
			t.Errorf("%v: err = %v, want one naming row 3, column 10", bad, err)
		}
	}
}

// FuzzVectorKernel compares the vector kernel with the plain path on
// arbitrary finite float32 rows, and on the same rows as float64.
func FuzzVectorKernel(f *testing.F) {
	f.Add([]byte{0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64}, true)
	f.Add(make([]byte, 4*40), false)
	f.Fuzz(func(t *testing.T, raw []byte, withFlip bool) {
		if !haveVectorKernel {
			t.Skip("no vector kernel")
		}
		vals := make([]float32, 0, len(raw)/4)
		for i := 0; i+4 <= len(raw); i += 4 {
			v := math.Float32frombits(binary.LittleEndian.Uint32(raw[i:]))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				v = 1
			}
			vals = append(vals, v)
		}
		per := 2
		if withFlip {
			per = 4
		}
		d := len(vals) / per
		if d == 0 {
			return
		}
		var flip []float32
		if withFlip {
			flip = vals[2*d : 4*d]
		}
		checkKernel(t, vals[:2*d], flip, d)
		// The same values as float64, with low bits float32 cannot hold.
		v64 := make([]float64, len(vals))
		for i, v := range vals {
			v64[i] = float64(v) * (1 + 0x1p-40*float64(i%7))
		}
		var flip64 []float64
		if withFlip {
			flip64 = v64[2*d : 4*d]
		}
		checkKernel(t, v64[:2*d], flip64, d)
	})
}

// TestDotPairwise checks the fused dot product against products stored
// and summed by pairwiseSum (np.sum(a * b)), bit for bit, for every length
// class of the pairwise sum.
func TestDotPairwise(t *testing.T) {
	g := &glibcLCG{s: 3}
	for d := 0; d <= 300; d++ {
		a, b, sq := make([]float64, d), make([]float64, d), make([]float64, d)
		for i := range a {
			a[i] = (g.next() - 0.5) * math.Pow(10, float64(i%9-4))
			b[i] = g.next() - 0.5
		}
		for i := range a {
			sq[i] = a[i] * b[i]
		}
		want := pairwiseSum(sq)
		if got := dotPairwise(a, b); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("d=%d: dotPairwise %.17g, pairwiseSum of products %.17g", d, got, want)
		}
	}
}
