package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// run executes the CLI with args and returns stdout and the error.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func writeNpy(t *testing.T, dir, name string, a *nd.Array) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := nd.WriteNpyFile(p, a); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScoreDocstringData(t *testing.T) {
	dir := t.TempDir()
	labels := writeNpy(t, dir, "l.npy", nd.Must(nd.FromInt64([]int64{0, 1, 1})))
	preds := writeNpy(t, dir, "p.npy", nd.Must(nd.FromFloat32([]float32{.3, .7, 0, 1, .4, .6}, 3, 2)))
	out, err := run(t, "score", "--metric", "acc", "--metric", "f1", "--labels", labels, "--preds", preds)
	if err != nil {
		t.Fatal(err)
	}
	want := "metric     local                global\n" +
		"accuracy   0.6666666666666666   0.6666666666666666\n" +
		"f1         0.8                  0.8\n"
	if out != want {
		t.Errorf("table:\n%s\nwant:\n%s", out, want)
	}
	// JSON, batched: macro F1 becomes the mean of per-batch F1s
	// (batch [0,1]: tp1 fp1 → P ½, R 1, F1 ⅔; batch [2]: tp1 → 1; mean ⅚).
	out, err = run(t, "score", "--metric", "f1", "--metric", "perplexity:ignore_label=0", "--json", "--batch-size", "2", "--labels", labels, "--preds", preds)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Local []struct {
			Name  string
			Value *float64
		}
		Global []struct {
			Name  string
			Value *float64
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(res.Global) != 2 || res.Global[0].Name != "f1" || *res.Global[0].Value != 0.8333333333333333 {
		t.Errorf("json = %s", out)
	}
	if !strings.HasPrefix(strings.TrimSpace(out), `{
  "local"`) {
		t.Errorf("local must come first: %s", out)
	}
}

// NaN follows the project's one JSON rule (docs/formats.md): "NaN", not null.
func TestScoreNaNJSON(t *testing.T) {
	dir := t.TempDir()
	labels := writeNpy(t, dir, "l.npy", nd.Must(nd.FromInt64([]int64{1, 1, 1})))
	preds := writeNpy(t, dir, "p.npy", nd.Must(nd.FromFloat32([]float32{1, 2, 3})))
	out, err := run(t, "score", "--metric", "pearsonr", "--json", "--labels", labels, "--preds", preds)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"value": "NaN"`) {
		t.Errorf("constant input: want \"NaN\", got %s", out)
	}
}

func TestScoreErrors(t *testing.T) {
	dir := t.TempDir()
	labels := writeNpy(t, dir, "l.npy", nd.Must(nd.FromInt64([]int64{0, 1})))
	preds := writeNpy(t, dir, "p.npy", nd.Must(nd.FromFloat32([]float32{.3, .7, 0, 1, .4, .6}, 3, 2)))
	bad := filepath.Join(dir, "bad.npy")
	if err := os.WriteFile(bad, []byte("not numpy"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"score", "--preds", preds}, "at least one --metric"},
		{[]string{"score", "--metric", "acc"}, "at least one --preds"},
		{[]string{"score", "--metric", "nope", "--preds", preds}, "not registered (known: "},
		{[]string{"score", "--metric", "acc", "--labels", labels, "--preds", preds}, "(2,) does not match shape of predictions (3, 2)"},
		{[]string{"score", "--metric", "acc", "--labels", bad, "--preds", preds}, "bad.npy"},
		{[]string{"score", "--metric", "acc", "--labels", filepath.Join(dir, "missing.npy"), "--preds", preds}, "missing.npy"},
		{[]string{"score", "--metric", "acc", "--labels", labels, "--preds", preds, "--batch-size", "2"}, "same number of rows"},
		{[]string{"score", "--metric", "acc", "--labels", labels, "--preds", preds, "--batch-size", "-1"}, "--batch-size"},
	} {
		t.Run(c.want, func(t *testing.T) {
			_, err := run(t, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: error %v, want %q", c.args, err, c.want)
			}
		})
	}
}

// Every registry name scores the bundled examples (custommetric needs a Go
// function and says so).
func TestScoreEveryRegistryName(t *testing.T) { scoreEveryName(t, "../../examples/") }

// TestScoreEveryRegistryNameMapped runs every metric on the examples
// repeated 300 times, which puts every float array over the 1 MB from
// which score memory-maps its inputs read-only: a metric that wrote into
// its input would crash the test.
func TestScoreEveryRegistryNameMapped(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	dir := t.TempDir()
	for _, f := range []string{
		"classify/labels.npy", "classify/probs.npy", "binary/labels.npy", "binary/probs.npy",
		"regress/target.npy", "regress/pred.npy", "insightface/labels.npy", "insightface/embedding.npy",
		"insightface/softmax.npy", "insightface/loss.npy",
	} {
		tileNpy(t, filepath.Join("../../examples", f), filepath.Join(dir, f), 300)
	}
	scoreEveryName(t, dir+"/")
}

// tileNpy writes the array of src repeated times along axis 0 to dst (a
// one-element array is copied as is).
func tileNpy(t *testing.T, src, dst string, times int) {
	t.Helper()
	a, err := nd.ReadNpyFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if a.Size() == 1 {
		times = 1
	}
	shape := a.Shape()
	shape[0] *= times
	var out *nd.Array
	switch a.DType() {
	case nd.Float32:
		out = nd.Must(nd.FromFloat32(slices.Repeat(a.Float32s(), times), shape...))
	default:
		out = nd.Must(nd.FromInts(a.DType(), slices.Repeat(a.Int64s(), times), shape...))
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := nd.WriteNpyFile(dst, out); err != nil {
		t.Fatal(err)
	}
}

func scoreEveryName(t *testing.T, ex string) {
	t.Helper()
	cls := []string{"--labels", ex + "classify/labels.npy", "--preds", ex + "classify/probs.npy"}
	bin := []string{"--labels", ex + "binary/labels.npy", "--preds", ex + "binary/probs.npy"}
	reg := []string{"--labels", ex + "regress/target.npy", "--preds", ex + "regress/pred.npy"}
	ins := []string{"--labels", ex + "insightface/labels.npy", "--preds", ex + "insightface/embedding.npy",
		"--preds", ex + "insightface/softmax.npy", "--preds", ex + "insightface/loss.npy"}
	out, err := run(t, "score", "--list")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range strings.Fields(out) {
		spec, data := name, cls
		switch name {
		case "top_k_acc", "top_k_accuracy", "topkaccuracy":
			spec += ":top_k=5"
		case "perplexity":
			spec += ":ignore_label=-1"
		case "f1", "mcc":
			data = bin
		case "mae", "mse", "rmse", "pearsonr", "pearsoncorrelation":
			data = reg
		case "accmetric", "lossvaluemetric":
			data = ins
		case "custommetric":
			if _, err := run(t, append([]string{"score", "--metric", spec}, data...)...); err == nil || !strings.Contains(err.Error(), "Go function") {
				t.Errorf("custommetric: %v", err)
			}
			continue
		}
		out, err := run(t, append([]string{"score", "--metric", spec}, data...)...)
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if name != "composite" && name != "compositeevalmetric" && strings.Count(out, "\n") != 2 {
			t.Errorf("%s: output %q", spec, out)
		}
	}
}
