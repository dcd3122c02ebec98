package blas

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// DefaultOpenBLASNames are the library names LoadOpenBLAS tries, in order.
var DefaultOpenBLASNames = []string{"libopenblas.so.0", "libopenblas.so"}

// ErrNoOpenBLAS reports that no OpenBLAS library could be loaded.
var ErrNoOpenBLAS = errors.New("blas: OpenBLAS is not available")

// openblasFuncs are the library's functions, bound at run time.
type openblasFuncs struct {
	sgemm func(order, ta, tb, m, n, k int32, alpha float32, a *float32, lda int32, b *float32, ldb int32, beta float32, c *float32, ldc int32)
	dgemm func(order, ta, tb, m, n, k int32, alpha float64, a *float64, lda int32, b *float64, ldb int32, beta float64, c *float64, ldc int32)

	corename   func() string
	config     func() string
	getThreads func() int32
	setThreads func(int32)
}

// OpenBLAS is the backend over a run-time loaded OpenBLAS library. Get
// one from LoadOpenBLAS.
type OpenBLAS struct {
	path   string
	fns    *openblasFuncs
	kernel string
	config string
}

var (
	openblasOnce sync.Once
	openblasLib  *OpenBLAS
	openblasErr  error
)

// OpenBLASEnv names the environment variable that, when set, is the only
// library LoadOpenBLAS tries (a path or a name for the dynamic loader):
// a newer OpenBLAS build, or a name that does not exist to run without.
const OpenBLASEnv = "EVALKIT_OPENBLAS"

// LoadOpenBLAS loads OpenBLAS once per process (the library named by
// $EVALKIT_OPENBLAS, else the first of DefaultOpenBLASNames the dynamic
// loader finds) and returns it, or an error wrapping ErrNoOpenBLAS when
// there is none (or the platform cannot load libraries without cgo).
func LoadOpenBLAS() (*OpenBLAS, error) {
	openblasOnce.Do(func() {
		names := DefaultOpenBLASNames
		if env := os.Getenv(OpenBLASEnv); env != "" {
			names = []string{env}
		}
		var errs []string
		for _, name := range names {
			fns, err := openOpenBLAS(name)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			openblasLib = &OpenBLAS{path: name, fns: fns}
			openblasLib.kernel = strings.TrimSpace(fns.corename())
			openblasLib.config = strings.TrimSpace(fns.config())
			return
		}
		openblasErr = fmt.Errorf("%w: %s", ErrNoOpenBLAS, strings.Join(errs, "; "))
	})
	return openblasLib, openblasErr
}

// Name returns "openblas".
func (o *OpenBLAS) Name() string { return "openblas" }

// Library is the name the library was loaded by.
func (o *OpenBLAS) Library() string { return o.path }

// CoreName is the kernel family OpenBLAS runs (openblas_get_corename),
// for example "SkylakeX", "Haswell" or "Prescott" (the generic SSE3
// fallback of builds that do not recognise the CPU). OPENBLAS_CORETYPE
// in the environment overrides OpenBLAS's choice.
func (o *OpenBLAS) CoreName() string { return o.kernel }

// Config is OpenBLAS's build configuration (openblas_get_config).
func (o *OpenBLAS) Config() string { return o.config }

// Threads returns the number of threads OpenBLAS uses for one product.
func (o *OpenBLAS) Threads() int { return int(o.fns.getThreads()) }

// SetThreads sets the number of threads OpenBLAS uses for one product
// (process-wide) and returns the previous number.
func (o *OpenBLAS) SetThreads(n int) int {
	prev := o.Threads()
	o.fns.setThreads(int32(max(n, 1)))
	return prev
}

// String describes the library and its kernel.
func (o *OpenBLAS) String() string {
	return fmt.Sprintf("openblas (%s, kernel %s, %d threads)", o.path, o.kernel, o.Threads())
}

const (
	cblasRowMajor = 101
	cblasNoTrans  = 111
	cblasTrans    = 112
)

// SgemmNT computes C = A·Bᵀ with cblas_sgemm.
func (o *OpenBLAS) SgemmNT(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkGemm(m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	o.fns.sgemm(cblasRowMajor, cblasNoTrans, cblasTrans, int32(m), int32(n), int32(k),
		1, &a[0], int32(lda), &b[0], int32(ldb), 0, &c[0], int32(ldc))
}

// DgemmNT computes C = A·Bᵀ with cblas_dgemm.
func (o *OpenBLAS) DgemmNT(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkGemm(m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	o.fns.dgemm(cblasRowMajor, cblasNoTrans, cblasTrans, int32(m), int32(n), int32(k),
		1, &a[0], int32(lda), &b[0], int32(ldb), 0, &c[0], int32(ldc))
}

// checkGemm panics, as gonum does, when the slices are too short for the
// shapes: a C library must never read or write past them.
func checkGemm(m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if k < 1 || lda < k || ldb < k || ldc < n ||
		la < (m-1)*lda+k || lb < (n-1)*ldb+k || lc < (m-1)*ldc+n ||
		m > 1<<31-1 || n > 1<<31-1 || k > 1<<31-1 || lda > 1<<31-1 || ldb > 1<<31-1 || ldc > 1<<31-1 {
		panic(fmt.Sprintf("blas: bad gemm shapes m=%d n=%d k=%d lda=%d ldb=%d ldc=%d for lengths %d %d %d", m, n, k, lda, ldb, ldc, la, lb, lc))
	}
}
