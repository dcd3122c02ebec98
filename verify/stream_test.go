package verify

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// npyRows writes a to a temporary .npy and opens it for reading by rows.
func npyRows(t *testing.T, a *nd.Array) *nd.NpyRows {
	t.Helper()
	p := filepath.Join(t.TempDir(), "a.npy")
	if err := nd.WriteNpyFile(p, a); err != nil {
		t.Fatal(err)
	}
	r, err := nd.OpenNpyRows(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestPairScoresFrom checks that streaming the rows from files gives
// PairScores' scores and XNorm bit for bit, for both dtypes, with and
// without flips, for block boundaries that do and do not divide the pairs,
// on the vector kernel and the plain path.
func TestPairScoresFrom(t *testing.T) {
	have := haveVectorKernel
	defer func() { haveVectorKernel = have }()
	for _, tc := range []struct{ pairs, dims int }{{1, 3}, {7, 16}, {600, 64}, {1500, 512}, {37, 2048}} {
		t.Run(fmt.Sprintf("%dx%d", tc.pairs, tc.dims), func(t *testing.T) {
			e, f, _ := pairEmbeddings(tc.pairs, tc.dims, 1, 2.0, uint64(tc.pairs))
			e32 := nd.Must(nd.FromFloat32(e, 2*tc.pairs, tc.dims))
			f32 := nd.Must(nd.FromFloat32(f, 2*tc.pairs, tc.dims))
			e64 := nd.Must(nd.FromFloat64(e32.AppendFloat64(nil), 2*tc.pairs, tc.dims))
			f64 := nd.Must(nd.FromFloat64(f32.AppendFloat64(nil), 2*tc.pairs, tc.dims))
			for _, vec := range []bool{have, false} {
				haveVectorKernel = vec
				for _, c := range []struct {
					name       string
					emb, flip  *nd.Array
					withFlip   bool
					scoreKinds []Score
				}{
					{"float32", e32, nil, false, []Score{SquaredL2, Cosine}},
					{"float32 flip", e32, f32, true, []Score{SquaredL2}},
					{"float64 flip", e64, f64, true, []Score{SquaredL2, Cosine}},
				} {
					t.Run(fmt.Sprintf("%s vector=%v", c.name, vec), func(t *testing.T) {
						var fr RowReader
						if c.withFlip {
							fr = npyRows(t, c.flip)
						}
						er := npyRows(t, c.emb)
						for _, sc := range c.scoreKinds {
							name := fmt.Sprintf("%d×%d %s %v vector=%v", tc.pairs, tc.dims, c.name, sc, vec)
							want, wantX, err := PairScores(c.emb, c.flip, sc)
							if err != nil {
								t.Fatal(err)
							}
							got, gotX, err := PairScoresFrom(er, fr, sc)
							if err != nil {
								t.Fatalf("%s: %v", name, err)
							}
							if math.Float64bits(gotX) != math.Float64bits(wantX) {
								t.Fatalf("%s: xnorm %.17g, PairScores %.17g", name, gotX, wantX)
							}
							for i := range want {
								if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
									t.Fatalf("%s: pair %d: %.17g, PairScores %.17g", name, i, got[i], want[i])
								}
							}
						}
					})
				}
			}
		})
	}
}

func TestPairScoresFromErrors(t *testing.T) {
	emb := make([]float32, 3000*8)
	for i := range emb {
		emb[i] = float32(i%5) - 2
	}
	emb[2001*8+3] = float32(math.NaN())
	bad := npyRows(t, nd.Must(nd.FromFloat32(emb, 3000, 8)))
	if _, _, err := PairScoresFrom(bad, nil, SquaredL2); err == nil || !strings.Contains(err.Error(), "embedding row 2001, column 3 is NaN") {
		t.Errorf("NaN at row 2001: %v", err)
	}
	good := npyRows(t, nd.Must(nd.FromFloat32(make([]float32, 8*8), 8, 8)))
	for _, tc := range []struct {
		emb, flip RowReader
		want      string
	}{
		{npyRows(t, nd.Must(nd.FromFloat32(make([]float32, 24), 3, 8))), nil, "3 rows; need an even number"},
		{npyRows(t, nd.Must(nd.FromFloat32(make([]float32, 24), 24))), nil, "must be 2-D"},
		{good, npyRows(t, nd.Must(nd.FromFloat32(make([]float32, 32), 4, 8))), "flipped embeddings have shape (4, 8), want (8, 8)"},
		{good, npyRows(t, nd.Must(nd.FromFloat64(make([]float64, 64), 8, 8))), "flipped embeddings are float64 but the embeddings float32"},
		{nil, nil, "no embeddings"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if _, _, err := PairScoresFrom(tc.emb, tc.flip, SquaredL2); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
