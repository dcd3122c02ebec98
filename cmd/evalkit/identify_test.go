package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/identify"
	"github.com/evalkit/evalkit/internal/jsonnum"
	"github.com/evalkit/evalkit/nd"
)

func idata(name string) string { return filepath.Join("..", "..", "testdata", "identify", name) }

type idGolden struct {
	IJB1N      string `json:"ijb_1n"`
	IJBEvalsG1 struct {
		Lines string `json:"lines"`
	} `json:"ijb_evals_g1"`
	NISTG1 struct {
		CMC  []float64 `json:"cmc"`
		Open map[string][]struct {
			Threshold *float64 `json:"threshold"`
			FPIR      float64  `json:"fpir"`
			TPIR      float64  `json:"tpir"`
		} `json:"open"`
	} `json:"nist_g1"`
	MegaFaceRank1 []float64 `json:"megaface_rank1"`
}

func loadIDGolden(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// libArgs are identify's input flags for the library golden data; g1
// writes the first 30 gallery rows (G1) to a temporary file.
func libArgs(t *testing.T, g1 bool) []string {
	gal, gid := idata("lib_gallery32.npy"), idata("lib_gallery_ids.npy")
	if g1 {
		dir := t.TempDir()
		a, err := nd.ReadNpyFile(gal)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := a.Slice(0, 30)
		ids, _ := nd.ReadNpyFile(gid)
		is, _ := ids.Slice(0, 30)
		gal, gid = filepath.Join(dir, "g1.npy"), filepath.Join(dir, "g1_ids.npy")
		if err := nd.WriteNpyFile(gal, s); err != nil {
			t.Fatal(err)
		}
		if err := nd.WriteNpyFile(gid, is); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"identify", "--gallery", gal, "--gallery-ids", gid, "--probes", idata("lib_probes32.npy"), "--probe-ids", idata("lib_probe_ids.npy")}
}

func TestIdentifyNISTGolden(t *testing.T) {
	var g idGolden
	loadIDGolden(t, idata("lib_golden.json"), &g)
	args := append(libArgs(t, true), "--rank", "1,2,5,10,20", "--fpir", "0,0.01,0.05,0.1,0.3,1", "--json", "--blas", "gonum")
	out, _, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		CMC     []identify.RankRate `json:"cmc"`
		OpenSet struct {
			Points []struct {
				Threshold jsonnum.Float `json:"threshold"`
				FPIR      float64       `json:"fpir"`
				TPIR      float64       `json:"tpir"`
			} `json:"points"`
		} `json:"open_set"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v in\n%s", err, out)
	}
	for i, c := range res.CMC {
		if c.Rate != g.NISTG1.CMC[i] {
			t.Errorf("CMC@%d = %v, want %v", c.Rank, c.Rate, g.NISTG1.CMC[i])
		}
	}
	for i, p := range res.OpenSet.Points {
		w := g.NISTG1.Open["1"][i]
		// The golden file (Python) writes the -Inf threshold as null; evalkit
		// writes "-Infinity" (docs/formats.md).
		th := float64(p.Threshold)
		if (w.Threshold == nil) != math.IsInf(th, -1) || (w.Threshold != nil && math.Abs(th-*w.Threshold) > 1e-6) || p.FPIR != w.FPIR || p.TPIR != w.TPIR {
			t.Errorf("point %d: %v %v %v, want %v %v %v", i, p.Threshold, p.FPIR, p.TPIR, w.Threshold, w.FPIR, w.TPIR)
		}
	}
}

func TestIdentifyText(t *testing.T) {
	var g idGolden
	loadIDGolden(t, idata("lib_golden.json"), &g)
	plot := filepath.Join(t.TempDir(), "cmc.png")
	state := filepath.Join(t.TempDir(), "state.json")
	cands := filepath.Join(t.TempDir(), "cands.jsonl")
	args := append(libArgs(t, false), "--distractors", idata("lib_distractors.npy"), "--plot", plot, "--save-state", state, "--candidates", cands)
	out, _, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{"searched 400 probes × 60 gallery + 1500 distractors, 32-d float32", "closed-set CMC over 400 mated searches",
		"       1000  0.087500\n", "       1500  0.082500\n"} {
		if !strings.Contains(out, frag) {
			t.Errorf("output lacks %q:\n%s", frag, out)
		}
	}
	if g.MegaFaceRank1[3] != 0.0875 || g.MegaFaceRank1[4] != 0.0825 {
		t.Fatalf("golden rank-1 %v changed; update the expected lines", g.MegaFaceRank1)
	}
	for _, p := range []string{plot, state, cands} {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s not written: %v", p, err)
		}
	}
	var st identify.State
	b, _ := os.ReadFile(state)
	if err := json.Unmarshal(b, &st); err != nil || st.NumProbes() != 400 {
		t.Errorf("saved state: %v", err)
	}
}

func TestIdentifyIJBRules(t *testing.T) {
	var g idGolden
	loadIDGolden(t, idata("lib_golden.json"), &g)
	out, _, err := runCLI(t, append(libArgs(t, false), "--rule", "ijb_1n")...)
	if err != nil {
		t.Fatal(err)
	}
	// float32 features here, float64 in the golden run: the lines agree
	// except in the thresholds' last printed digits
	if got, want := strings.Split(out, "far = ")[0], strings.Split(g.IJB1N, "far = ")[0]; got != want {
		t.Errorf("ijb_1n lines:\n%s\nwant\n%s", got, want)
	}
	out, _, err = runCLI(t, append(libArgs(t, true), "--rule", "ijb_evals")...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, g.IJBEvalsG1.Lines) || !strings.Contains(out, "|    far |") {
		t.Errorf("ijb_evals output:\n%s\nwant it to start with\n%s", out, g.IJBEvalsG1.Lines)
	}
}

func TestIdentifyBadInput(t *testing.T) {
	dir := t.TempDir()
	floatIDs := filepath.Join(dir, "fids.npy")
	if err := nd.WriteNpyFile(floatIDs, nd.Must(nd.FromFloat64(make([]float64, 60)))); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short.npy")
	if err := nd.WriteNpyFile(short, nd.Must(nd.FromInt64(make([]int64, 3)))); err != nil {
		t.Fatal(err)
	}
	threeD := filepath.Join(dir, "d3.npy")
	if err := nd.WriteNpyFile(threeD, nd.Must(nd.FromFloat32(make([]float32, 6), 2, 3))); err != nil {
		t.Fatal(err)
	}
	base := libArgs(t, false)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"identify"}, "--gallery is required"},
		{append(base, "--rule", "x"), `--rule "x"`},
		{append(base[:5:5], "--probes", idata("lib_probes32.npy"), "--probe-ids", short), "shape (3,), want (400,)"},
		{append(base[:3:3], "--gallery-ids", floatIDs, "--probes", idata("lib_probes32.npy"), "--probe-ids", idata("lib_probe_ids.npy")), "must be integers"},
		{append(base, "--distractors", threeD), "distractors have dimension 3, probes 32"},
		{append(base, "--blas", "mkl"), `backend "mkl"`},
		{append(libArgs(t, true), "--rule", "ijb_1n"), "exactly one gallery entry"},
		{append(base, "--gallery", idata("lib_gallery32.npy")), "2 --gallery but 1 --gallery-ids"},
		{append(base, "--gallery", base[2], "--gallery-ids", base[4], "--save-state", filepath.Join(dir, "s.json")), "take one --gallery"},
	} {
		t.Run(c.want, func(t *testing.T) {
			if _, _, err := runCLI(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: error %v, want %q", c.args, err, c.want)
			}
		})
	}
}

func TestIJB1NGolden(t *testing.T) {
	var g struct {
		IJB1N    string      `json:"ijb_1n"`
		Lines    string      `json:"ijb_evals_lines"`
		Table    [][]float64 `json:"ijb_evals_table"`
		Features string
	}
	loadIDGolden(t, idata("ijb/golden.json"), &g)
	base := []string{"ijb", "--protocol", "1n", "--features", idata("ijb/features.npy"), "--meta-dir", idata("ijb/meta")}
	out, _, err := runCLI(t, base...)
	if err != nil {
		t.Fatal(err)
	}
	cols := make([][]float64, 6)
	for _, row := range g.Table {
		for c, v := range row {
			cols[c] = append(cols[c], v)
		}
	}
	want := g.Lines + identify.PipeTable([]string{"far", "g1_tpir", "g1_thresh", "g2_tpir", "g2_thresh", "mean_tpir"}, cols)
	if out != want {
		t.Errorf("ijb_evals:\n%s\nwant\n%s", out, want)
	}
	out, _, err = runCLI(t, append(base, "--rule", "ijb_1n")...)
	if err != nil {
		t.Fatal(err)
	}
	if out != g.IJB1N {
		t.Errorf("ijb_1n:\n%s\nwant\n%s", out, g.IJB1N)
	}
	out, _, err = runCLI(t, append(base, "--rule", "nist")...)
	if err != nil || !strings.Contains(out, "gallery G2: 58 mated, 62 non-mated searches") {
		t.Errorf("nist: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, "ijb", "--protocol", "1n", "--meta-dir", idata("ijb/meta")); err == nil || !strings.Contains(err.Error(), "--features") {
		t.Errorf("without features: %v", err)
	}
	if _, _, err := runCLI(t, "ijb", "--protocol", "1n", "--features", idata("lib_probes.npy"), "--meta-dir", idata("ijb/meta")); err == nil || !strings.Contains(err.Error(), "one row per image") {
		t.Errorf("wrong features: %v", err)
	}
}

// Several --gallery flags search the probes against each gallery in turn:
// the output is that of one run per gallery, in order (ijb_evals' G1 and
// G2 in one process).
func TestIdentifySeveralGalleries(t *testing.T) {
	g1 := libArgs(t, true) // the first 30 gallery rows
	dir := t.TempDir()
	g2, g2ids := filepath.Join(dir, "g2.npy"), filepath.Join(dir, "g2_ids.npy")
	for _, c := range [][2]string{{idata("lib_gallery32.npy"), g2}, {idata("lib_gallery_ids.npy"), g2ids}} {
		a, err := nd.ReadNpyFile(c[0])
		if err != nil {
			t.Fatal(err)
		}
		part, err := a.Slice(30, 60)
		if err != nil {
			t.Fatal(err)
		}
		if err := nd.WriteNpyFile(c[1], part); err != nil {
			t.Fatal(err)
		}
	}
	second := append(append([]string(nil), g1...), "--gallery", g2, "--gallery-ids", g2ids)
	second[2], second[4] = g2, g2ids
	second = second[:len(g1)]
	var want string
	for _, a := range [][]string{g1, second} {
		out, _, err := runCLI(t, append(a, "--rule", "ijb_evals", "--blas", "gonum")...)
		if err != nil {
			t.Fatal(err)
		}
		want += out
	}
	args := append(append([]string(nil), g1...), "--gallery", g2, "--gallery-ids", g2ids, "--rule", "ijb_evals", "--blas", "gonum")
	got, _, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("two galleries in one run printed\n%s\nwant the two runs'\n%s", got, want)
	}
}
