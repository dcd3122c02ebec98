package blas

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func naiveNT(m, n, k int, a []float64, lda int, b []float64, ldb int) []float64 {
	c := make([]float64, m*n)
	for i := range m {
		for j := range n {
			s := 0.0
			for p := range k {
				s += a[i*lda+p] * b[j*ldb+p]
			}
			c[i*n+j] = s
		}
	}
	return c
}

func randMat(r *rand.Rand, n int) ([]float64, []float32) {
	d, f := make([]float64, n), make([]float32, n)
	for i := range d {
		f[i] = float32(r.NormFloat64())
		d[i] = float64(f[i])
	}
	return d, f
}

func backends(t *testing.T) []Backend {
	bs := []Backend{Gonum{}}
	o, err := LoadOpenBLAS()
	switch {
	case err == nil:
		bs = append(bs, o)
		t.Logf("%s; config %q", Describe(o), o.Config())
	case errors.Is(err, ErrNoOpenBLAS):
		t.Logf("OpenBLAS not tested: %v (install libopenblas0 / libopenblas-dev)", err)
	default:
		t.Fatal(err)
	}
	return bs
}

// TestGemmNT checks every backend against a float64 triple loop on odd
// shapes with padded strides.
func TestGemmNT(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, b := range backends(t) {
		for _, sh := range [][3]int{{1, 1, 1}, {3, 5, 7}, {17, 33, 64}, {65, 129, 512}} {
			m, n, k := sh[0], sh[1], sh[2]
			lda, ldb, ldc := k+3, k+1, n+2
			a64, a32 := randMat(r, m*lda)
			b64, b32 := randMat(r, n*ldb)
			want := naiveNT(m, n, k, a64, lda, b64, ldb)
			c32 := make([]float32, m*ldc)
			c64 := make([]float64, m*ldc)
			b.SgemmNT(m, n, k, a32, lda, b32, ldb, c32, ldc)
			b.DgemmNT(m, n, k, a64, lda, b64, ldb, c64, ldc)
			for i := range m {
				for j := range n {
					w := want[i*n+j]
					if d := math.Abs(float64(c32[i*ldc+j]) - w); d > 1e-4*math.Sqrt(float64(k)) {
						t.Fatalf("%s sgemm %v: C[%d,%d] = %v, want %v", b.Name(), sh, i, j, c32[i*ldc+j], w)
					}
					if d := math.Abs(c64[i*ldc+j] - w); d > 1e-12*float64(k) {
						t.Fatalf("%s dgemm %v: C[%d,%d] = %v, want %v", b.Name(), sh, i, j, c64[i*ldc+j], w)
					}
				}
			}
		}
	}
}

func TestSelect(t *testing.T) {
	for _, name := range []string{"", "gonum", "auto"} {
		b, err := Select(name)
		if err != nil || b == nil {
			t.Fatalf("Select(%q) = %v, %v", name, b, err)
		}
	}
	if _, err := Select("mkl"); err == nil {
		t.Fatal("Select(mkl) succeeded")
	}
	if _, err := Select("openblas"); err != nil && !errors.Is(err, ErrNoOpenBLAS) {
		t.Fatalf("Select(openblas): %v", err)
	}
}

func TestCheckGemmPanicsOnShortSlices(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	checkGemm(2, 2, 2, 3, 2, 4, 2, 4, 2)
}

// TestGonumShapeIndependent checks that an entry of C does not depend on
// the shape of the call (gonum's serial and parallel paths sum differently).
func TestGonumShapeIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	m, n, k := 300, 300, 512
	_, a := randMat(r, m*k)
	_, b := randMat(r, n*k)
	whole := make([]float32, m*n)
	Gonum{}.SgemmNT(m, n, k, a, k, b, k, whole, n)
	one := make([]float32, 1)
	for _, ij := range [][2]int{{0, 0}, {17, 250}, {299, 299}} {
		i, j := ij[0], ij[1]
		Gonum{}.SgemmNT(1, 1, k, a[i*k:], k, b[j*k:], k, one, 1)
		if one[0] != whole[i*n+j] {
			t.Errorf("C[%d,%d] = %v alone, %v in the whole product", i, j, one[0], whole[i*n+j])
		}
	}
}
