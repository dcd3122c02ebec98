package identify

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/evalkit/evalkit/internal/blas"
	"github.com/evalkit/evalkit/nd"
)

const testdata = "../testdata/identify"

func loadMatrix(t testing.TB, name string) Matrix {
	t.Helper()
	a, err := nd.ReadNpyFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := MatrixFromArray(a)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func loadIDs(t testing.TB, name string) []int64 {
	t.Helper()
	a, err := nd.ReadNpyFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return a.Int64s()
}

type libGolden struct {
	IJB1N      string `json:"ijb_1n"`
	IJBEvalsG1 struct {
		Lines      string    `json:"lines"`
		Top        []int     `json:"top"`
		Thresholds []float64 `json:"thresholds"`
		TPIRs      []float64 `json:"tpirs"`
	} `json:"ijb_evals_g1"`
	IJBEvalsG2 struct {
		Lines      string    `json:"lines"`
		Top        []int     `json:"top"`
		Thresholds []float64 `json:"thresholds"`
		TPIRs      []float64 `json:"tpirs"`
	} `json:"ijb_evals_g2"`
	IJBEvalsFARs  []float64 `json:"ijb_evals_fars"`
	IJBEvalsShown []int     `json:"ijb_evals_shown"`
	NISTG1        struct {
		CMC      []float64 `json:"cmc"`
		Mated    int       `json:"mated"`
		NonMated int       `json:"non_mated"`
		Open     map[string][]struct {
			Threshold *float64 `json:"threshold"`
			FPIR      float64  `json:"fpir"`
			TPIR      float64  `json:"tpir"`
		} `json:"open"`
	} `json:"nist_g1"`
	MegaFaceCheckpoints []int64   `json:"megaface_checkpoints"`
	MegaFaceRank1       []float64 `json:"megaface_rank1"`
}

func loadGolden(t testing.TB) *libGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, "lib_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g libGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// testBackends is gonum, and OpenBLAS when the library loads.
func testBackends(t testing.TB) []blas.Backend {
	bs := []blas.Backend{blas.Gonum{}}
	o, err := blas.LoadOpenBLAS()
	switch {
	case err == nil:
		bs = append(bs, o)
	case errors.Is(err, blas.ErrNoOpenBLAS):
		t.Logf("OpenBLAS path not tested: %v", err)
	default:
		t.Fatal(err)
	}
	return bs
}

// search runs one search of probes against gallery rows (ids) and,
// optionally, distractors.
func search(t testing.TB, probes Matrix, probeIDs []int64, gallery Matrix, ids []int64, distr *Matrix, cfg Config, o SearchOptions) *State {
	t.Helper()
	cfg.GallerySize = int64(gallery.Rows)
	s, err := NewState(probeIDs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Search(probes, Shard{Features: gallery, IDs: ids}, o); err != nil {
		t.Fatal(err)
	}
	if distr != nil {
		if err := s.Search(probes, Shard{Features: *distr, Offset: int64(gallery.Rows)}, o); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func mustJSON(t testing.TB, s *State) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
