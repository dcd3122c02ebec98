package verify

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/evalkit/evalkit/nd"
	"github.com/google/go-cmp/cmp"
)

// protocolGolden is a file written by testdata/verify/gen_protocol.py.
type protocolGolden struct {
	Generator struct {
		Pairs, Dims, Folds int
		Noise              float64
		Seed               uint64
		Flip               bool
	}
	DistHex        []string  `json:"dist_hex"`
	XNorm          float64   `json:"xnorm"`
	Accuracy       float64   `json:"accuracy"`
	AccuracyStd    float64   `json:"accuracy_std"`
	FoldAccuracies []float64 `json:"fold_accuracies"`
	BestThresholds []float64 `json:"best_thresholds"`
	VAL            float64   `json:"val"`
	VALStd         float64   `json:"val_std"`
	FAR            float64   `json:"far"`
	FoldVAL        []float64 `json:"fold_val"`
	FoldFAR        []float64 `json:"fold_far"`
	VALThresholds  []float64 `json:"val_thresholds"`
	TPR            []float64 `json:"tpr"`
	FPR            []float64 `json:"fpr"`
	Lines          []string  `json:"lines"`
	Exact          struct {
		Accuracy        float64   `json:"accuracy"`
		AccuracyStd     float64   `json:"accuracy_std"`
		FoldAccuracies  []float64 `json:"fold_accuracies"`
		TrainAccuracies []float64 `json:"train_accuracies"`
		BestThresholds  []float64 `json:"best_thresholds"`
		VALThresholds   []float64 `json:"val_thresholds"`
		FoldVAL         []float64 `json:"fold_val"`
		FoldFAR         []float64 `json:"fold_far"`
	} `json:"exact"`
}

func loadProtocolGolden(t *testing.T, name string) (*protocolGolden, *nd.Array, *nd.Array, []bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "verify", name))
	if err != nil {
		t.Fatal(err)
	}
	var g protocolGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	p := g.Generator
	e, f, same := pairEmbeddings(p.Pairs, p.Dims, p.Folds, p.Noise, p.Seed)
	emb := nd.Must(nd.FromFloat32(e, 2*p.Pairs, p.Dims))
	var flip *nd.Array
	if p.Flip {
		flip = nd.Must(nd.FromFloat32(f, 2*p.Pairs, p.Dims))
	}
	return &g, emb, flip, same
}

func TestGoldenProtocol(t *testing.T) {
	for _, name := range []string{"protocol_lcg512.json", "protocol_lcg16.json"} {
		t.Run(name, func(t *testing.T) {
			g, emb, flip, same := loadProtocolGolden(t, name)
			// Distances are bit-identical to insightface's (numpy/scikit-learn
			// summation orders reproduced).
			dist, xnorm, err := PairScores(emb, flip, SquaredL2)
			if err != nil {
				t.Fatal(err)
			}
			for i, h := range g.DistHex {
				want, err := strconv.ParseFloat(h, 64)
				if err != nil {
					t.Fatal(err)
				}
				if dist[i] != want {
					t.Fatalf("dist[%d] = %x, want %x (%s)", i, dist[i], want, h)
				}
			}
			// XNorm goes through BLAS's dot in numpy; equal to ~1 ulp.
			if math.Abs(xnorm-g.XNorm) > 1e-13*g.XNorm {
				t.Errorf("xnorm %.17g, want %.17g", xnorm, g.XNorm)
			}
			r, err := EvaluateEmbeddings(emb, flip, same, Options{Folds: g.Generator.Folds})
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, want, got any) {
				t.Helper()
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", what, diff)
				}
			}
			check("accuracy", g.Accuracy, r.Accuracy)
			check("accuracy std", g.AccuracyStd, r.AccuracyStd)
			check("fold accuracies", g.FoldAccuracies, r.FoldAccuracies)
			check("best thresholds", g.BestThresholds, r.BestThresholds)
			check("val", g.VAL, r.VAL)
			check("val std", g.VALStd, r.VALStd)
			check("far", g.FAR, r.FAR)
			check("fold val", g.FoldVAL, r.FoldVAL)
			check("fold far", g.FoldFAR, r.FoldFAR)
			check("val thresholds", g.VALThresholds, r.VALThresholds)
			check("tpr", g.TPR, r.TPR)
			check("fpr", g.FPR, r.FPR)
			label := "Accuracy"
			if flip != nil {
				label = "Accuracy-Flip"
			}
			lines := []string{
				fmt.Sprintf("[lfw]XNorm: %f", r.XNorm),
				fmt.Sprintf("[lfw]%s: %1.5f+-%1.5f", label, r.Accuracy, r.AccuracyStd),
			}
			check("printed lines", g.Lines, lines)

			x, err := EvaluateEmbeddings(emb, flip, same, Options{Folds: g.Generator.Folds, Mode: ExactMode})
			if err != nil {
				t.Fatal(err)
			}
			check("exact accuracy", g.Exact.Accuracy, x.Accuracy)
			check("exact accuracy std", g.Exact.AccuracyStd, x.AccuracyStd)
			check("exact fold accuracies", g.Exact.FoldAccuracies, x.FoldAccuracies)
			check("exact train accuracies", g.Exact.TrainAccuracies, x.TrainAccuracies)
			check("exact best thresholds", g.Exact.BestThresholds, x.BestThresholds)
			check("exact val thresholds", g.Exact.VALThresholds, x.VALThresholds)
			check("exact fold val", g.Exact.FoldVAL, x.FoldVAL)
			check("exact fold far", g.Exact.FoldFAR, x.FoldFAR)
		})
	}
}
