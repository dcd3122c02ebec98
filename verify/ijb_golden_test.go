package verify

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// ijbGolden is one case of testdata/verify/ijb_golden.json (gen_ijb.py:
// eval_ijbc.py's aggregation and scoring run with numpy and scikit-learn).
type ijbGolden struct {
	Name      string
	Dims      int
	Features  [][]float32
	Templates []int64
	Medias    []int64
	Faceness  []float32
	P1, P2    []int64
	Modes     []struct {
		NormImages       bool `json:"norm_images"`
		Detector         bool
		TemplateIDs      []int64     `json:"template_ids"`
		TemplateFeatures [][]float64 `json:"template_features"`
		Scores           []float64
	}
}

// TestGoldenIJB checks template features and pair scores bit for bit
// against eval_ijbc.py's numpy code, with and without per-image
// normalisation and detector scores.
func TestGoldenIJB(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "verify", "ijb_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []ijbGolden
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("%d cases, want 2", len(cases))
	}
	for _, c := range cases {
		flat := make([]float32, 0, len(c.Features)*2*c.Dims)
		for _, row := range c.Features {
			flat = append(flat, row...)
		}
		feats := nd.Must(nd.FromFloat32(flat, len(c.Features), 2*c.Dims))
		if len(c.Modes) != 4 {
			t.Fatalf("%s: %d modes, want 4", c.Name, len(c.Modes))
		}
		for _, m := range c.Modes {
			opts := TemplateOptions{FlipHalves: true, NormalizeImages: m.NormImages}
			if m.Detector {
				opts.DetectorScores = c.Faceness
			}
			tpl, err := AggregateTemplates(feats, c.Templates, c.Medias, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(tpl.IDs) != len(m.TemplateIDs) {
				t.Fatalf("%s %+v: %d templates, want %d", c.Name, opts, len(tpl.IDs), len(m.TemplateIDs))
			}
			for i, id := range m.TemplateIDs {
				row, ok := tpl.Row(id)
				if !ok || tpl.IDs[i] != id {
					t.Fatalf("%s: template %d missing or out of order", c.Name, id)
				}
				for j, w := range m.TemplateFeatures[i] {
					if math.Float64bits(row[j]) != math.Float64bits(w) {
						t.Fatalf("%s norm=%v det=%v: template %d feature %d = %.17g, numpy %.17g", c.Name, m.NormImages, m.Detector, id, j, row[j], w)
					}
				}
			}
			scores, err := tpl.Scores(c.P1, c.P2)
			if err != nil {
				t.Fatal(err)
			}
			for k, w := range m.Scores {
				if math.Float64bits(scores[k]) != math.Float64bits(w) {
					t.Fatalf("%s norm=%v det=%v: score %d = %.17g, numpy %.17g", c.Name, m.NormImages, m.Detector, k, scores[k], w)
				}
			}
		}
	}
}
