package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/nd"
)

// runCLI runs evalkit with args and returns stdout, stderr and the error.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errw bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&errw)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errw.String(), err
}

func vdata(name string) string { return filepath.Join("..", "..", "testdata", "verify", name) }

// cliGolden is testdata/verify/cli_golden.json (gen_protocol.py, a faithful
// numpy/scikit-learn port of insightface's verification).
type cliGolden struct {
	Lines          []string
	Accuracy       float64   `json:"accuracy"`
	AccuracyStd    float64   `json:"accuracy_std"`
	FoldAccuracies []float64 `json:"fold_accuracies"`
	BestThresholds []float64 `json:"best_thresholds"`
	VAL            float64   `json:"val"`
	VALStd         float64   `json:"val_std"`
	FAR            float64   `json:"far"`
	VALThresholds  []float64 `json:"val_thresholds"`
	XNorm          float64   `json:"xnorm"`
}

func loadCLIGolden(t *testing.T) map[string]cliGolden {
	b, err := os.ReadFile(vdata("cli_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]cliGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestVerifyInsightfaceLines(t *testing.T) {
	g := loadCLIGolden(t)
	for _, tc := range []struct {
		key  string
		args []string
	}{
		{"flip", []string{"--flip-embeddings", vdata("cli_flip.npy"), "--issame", vdata("cli_issame.npy")}},
		{"noflip", []string{"--issame", vdata("cli_issame.txt")}},
	} {
		t.Run(tc.key, func(t *testing.T) {
			out, _, err := runCLI(t, append([]string{"verify", "--embeddings", vdata("cli_emb.npy"), "--name", "lfw"}, tc.args...)...)
			if err != nil {
				t.Fatalf("%s: %v", tc.key, err)
			}
			lines := strings.Split(out, "\n")
			if diff := cmp.Diff(g[tc.key].Lines, lines[:2]); diff != "" {
				t.Errorf("%s: insightface lines (-want +got):\n%s", tc.key, diff)
			}
			for _, want := range []string{"[lfw]VAL@FAR=0.001: ", "[lfw]AUC: ", "[lfw]1e-06 ", "[lfw]0.1 "} {
				if !strings.Contains(out, want) {
					t.Errorf("%s: output lacks %q:\n%s", tc.key, want, out)
				}
			}
		})
	}
}

func TestVerifyJSONAndPlot(t *testing.T) {
	g := loadCLIGolden(t)["flip"]
	plot := filepath.Join(t.TempDir(), "roc.png")
	out, _, err := runCLI(t, "verify", "--embeddings", vdata("cli_emb.npy"), "--flip-embeddings", vdata("cli_flip.npy"),
		"--issame", vdata("cli_issame.npy"), "--json", "--plot", plot, "--far", "0.01", "--far", "0.1")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		cliGolden
		AUC          float64 `json:"auc"`
		EER          float64 `json:"eer"`
		EERThreshold float64 `json:"eer_threshold"`
		TARAtFAR     []struct {
			FAR, TAR, FPR, Threshold float64
			TARInterpolated          float64 `json:"tar_interpolated"`
		} `json:"tar_at_far"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got.Lines = g.Lines
	if diff := cmp.Diff(g, got.cliGolden); diff != "" {
		t.Errorf("JSON protocol values (-insightface +got):\n%s", diff)
	}
	var raw map[string]json.RawMessage
	json.Unmarshal([]byte(out), &raw)
	for _, k := range []string{"accuracy", "accuracy_std", "fold_accuracies", "best_thresholds", "val", "val_std", "far", "val_thresholds", "xnorm", "auc", "eer", "tar_at_far"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks key %q", k)
		}
	}
	if len(got.TARAtFAR) != 2 || got.TARAtFAR[0].FAR != 0.01 || got.TARAtFAR[1].FAR != 0.1 {
		t.Errorf("tar_at_far = %+v", got.TARAtFAR)
	}
	if !(got.AUC > 0.5 && got.AUC <= 1) || !(got.EER > 0 && got.EER < 0.5) {
		t.Errorf("auc %v eer %v", got.AUC, got.EER)
	}
	f, err := os.Open(plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("plot: %v", err)
	}
}

func TestVerifyModes(t *testing.T) {
	// Exact mode's training accuracy is never below the grid's; cosine
	// thresholds are similarities (same above), in [-1, 1].
	var res [2]struct {
		Accuracy        float64   `json:"accuracy"`
		TrainAccuracies []float64 `json:"train_accuracies"`
		BestThresholds  []float64 `json:"best_thresholds"`
	}
	for i, mode := range []string{"grid", "exact"} {
		out, _, err := runCLI(t, "verify", "--embeddings", vdata("cli_emb.npy"), "--issame", vdata("cli_issame.npy"), "--mode", mode, "--json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(out), &res[i]); err != nil {
			t.Fatal(err)
		}
	}
	for f := range res[0].TrainAccuracies {
		if res[1].TrainAccuracies[f] < res[0].TrainAccuracies[f] {
			t.Errorf("fold %d: exact train accuracy %v < grid %v", f, res[1].TrainAccuracies[f], res[0].TrainAccuracies[f])
		}
	}
	out, _, err := runCLI(t, "verify", "--embeddings", vdata("cli_emb.npy"), "--issame", vdata("cli_issame.npy"), "--score", "cosine", "--mode", "exact", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var cos struct {
		BestThresholds []float64 `json:"best_thresholds"`
		Accuracy       float64   `json:"accuracy"`
	}
	json.Unmarshal([]byte(out), &cos)
	for _, th := range cos.BestThresholds {
		if th < -1 || th > 1 {
			t.Errorf("cosine threshold %v outside [-1, 1]", th)
		}
	}
	// On unit vectors cosine and squared L2 rank pairs alike.
	if math.Abs(cos.Accuracy-res[1].Accuracy) > 1e-12 {
		t.Errorf("exact cosine accuracy %v, exact l2 %v", cos.Accuracy, res[1].Accuracy)
	}
}

func writeVerifyNpy(t *testing.T, dir, name string, a *nd.Array) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := nd.WriteNpyFile(p, a); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerifyBadInput(t *testing.T) {
	dir := t.TempDir()
	odd := writeVerifyNpy(t, dir, "odd.npy", nd.Must(nd.FromFloat32(make([]float32, 3*4), 3, 4)))
	nan := make([]float32, 8*4)
	for i := range nan {
		nan[i] = float32(i%5) + 1
	}
	nan[13] = float32(math.NaN())
	nanp := writeVerifyNpy(t, dir, "nan.npy", nd.Must(nd.FromFloat32(nan, 8, 4)))
	labels4 := filepath.Join(dir, "l4.txt")
	os.WriteFile(labels4, []byte("1\n0\n1\n0\n"), 0o644)
	labels3 := filepath.Join(dir, "l3.txt")
	os.WriteFile(labels3, []byte("1\n0\n1\n"), 0o644)
	onlySame := filepath.Join(dir, "same.txt")
	os.WriteFile(onlySame, []byte("1\n1\n0\n0\n"), 0o644)
	ints := writeVerifyNpy(t, dir, "ints.npy", nd.Must(nd.FromInt64(make([]int64, 16), 4, 4)))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"verify"}, "give --embeddings"},
		{[]string{"verify", "--embeddings", odd, "--issame", labels4}, "3 rows but"},
		{[]string{"verify", "--embeddings", nanp, "--issame", labels3, "--folds", "2"}, "8 rows but"},
		{[]string{"verify", "--embeddings", nanp, "--issame", labels4, "--folds", "2"}, "row 3, column 1 is NaN"},
		{[]string{"verify", "--embeddings", ints, "--issame", onlySame, "--folds", "2"}, "4 rows but"},
		{[]string{"verify", "--embeddings", vdata("cli_emb.npy"), "--issame", vdata("cli_issame.npy"), "--folds", "500"}, "500 folds need at least 500 pairs"},
		{[]string{"verify", "--embeddings", vdata("cli_emb.npy"), "--issame", vdata("cli_issame.npy"), "--mode", "fast"}, `unknown mode "fast"`},
		{[]string{"verify", "--embeddings", vdata("cli_emb.npy"), "--issame", vdata("cli_issame.npy"), "--far", "2"}, "--far 2"},
		{[]string{"verify", "--embeddings", vdata("cli_emb.npy")}, "exactly one of"},
		{[]string{"verify", "--embeddings", vdata("cli_emb.npy"), "--pairs", labels4}, "go together"},
		{[]string{"verify", "--embeddings", filepath.Join(dir, "missing.npy"), "--issame", labels4}, "missing.npy"},
		{[]string{"verify", "--export-images", dir}, "needs --bin"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, _, err := runCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
			}
		})
	}
	// Integer embeddings are refused by dtype.
	ints8 := writeVerifyNpy(t, dir, "ints8.npy", nd.Must(nd.FromInt64(make([]int64, 32), 8, 4)))
	if _, _, err := runCLI(t, "verify", "--embeddings", ints8, "--issame", labels4, "--folds", "2"); err == nil || !strings.Contains(err.Error(), "float32 or float64, got int64") {
		t.Errorf("int embeddings: err = %v", err)
	}
	// A fold without positives is evaluated, with a warning naming it.
	emb := make([]float32, 8*4)
	for i := range emb {
		emb[i] = float32(i%7) + 1
	}
	ep := writeVerifyNpy(t, dir, "e.npy", nd.Must(nd.FromFloat32(emb, 8, 4)))
	out, errOut, err := runCLI(t, "verify", "--embeddings", ep, "--issame", onlySame, "--folds", "2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "fold 1: test split has no positive (same) pairs") || !strings.Contains(out, "Accuracy: ") {
		t.Errorf("stdout %q\nstderr %q", out, errOut)
	}
}

func TestVerifyBinAndPairs(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join("..", "..", "testdata", "dataset", "py2_protocol2.bin")
	// 2 pairs of a .bin, 2 folds; embeddings chosen so both folds are right.
	emb := writeVerifyNpy(t, dir, "emb.npy", nd.Must(nd.FromFloat32([]float32{1, 0, 1, 0.1, 1, 0, 0, 1}, 4, 2)))
	out, _, err := runCLI(t, "verify", "--embeddings", emb, "--bin", bin, "--folds", "2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "[py2_protocol2]XNorm: ") || !strings.Contains(out, "[py2_protocol2]Accuracy: ") {
		t.Errorf("output:\n%s", out)
	}
	exp := filepath.Join(dir, "images")
	out, _, err = runCLI(t, "verify", "--bin", bin, "--export-images", exp)
	if err != nil || !strings.Contains(out, "wrote 4 images (2 pairs)") {
		t.Fatalf("export: %q %v", out, err)
	}
	// The exported list and labels drive a pairs-free run; and an LFW
	// pairs.txt with the image list maps rows by name.
	list, err := dataset.ReadImageListFile(filepath.Join(exp, "images.txt"))
	if err != nil || len(list) != 4 {
		t.Fatal(list, err)
	}
	pairs := filepath.Join(dir, "pairs.txt")
	os.WriteFile(pairs, []byte("1\t1\n000000\t1\t3\n000000\t1\t000002\t1\n"), 0o644)
	images := filepath.Join(dir, "images.txt")
	os.WriteFile(images, []byte("a/000000_0001.jpg\na/000000_0003.jpg\nb/000002_0001.jpg\n"), 0o644)
	emb3 := writeVerifyNpy(t, dir, "emb3.npy", nd.Must(nd.FromFloat64([]float64{1, 0, 1, 0.1, 0, 1}, 3, 2)))
	out, _, err = runCLI(t, "verify", "--embeddings", emb3, "--pairs", pairs, "--image-list", images, "--folds", "2", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Pairs    int     `json:"pairs"`
		Accuracy float64 `json:"accuracy"`
	}
	json.Unmarshal([]byte(out), &r)
	if r.Pairs != 2 || r.Accuracy != 0.5 {
		// 1 pair per fold: the training pair of each fold sets the threshold
		// (d=0.01 same → threshold 0.01 accepts d<0.01; test pair d=2 diff
		// is right; other fold: train diff d=2 → threshold 0 rejects the
		// same pair d=0.01 → wrong). Mean 0.5.
		t.Errorf("pairs run: %+v\n%s", r, out)
	}
	os.WriteFile(images, []byte("a/000000_0001.jpg\na/000000_0003.jpg\n"), 0o644)
	emb2 := writeVerifyNpy(t, dir, "emb2.npy", nd.Must(nd.FromFloat64([]float64{1, 0, 1, 0.1}, 2, 2)))
	if _, _, err := runCLI(t, "verify", "--embeddings", emb2, "--pairs", pairs, "--image-list", images, "--folds", "2"); err == nil || !strings.Contains(err.Error(), "000002_0001 is not in the image list") {
		t.Errorf("missing image: err = %v", err)
	}
}
