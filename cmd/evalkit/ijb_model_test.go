package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/imagedec"
	"github.com/evalkit/evalkit/internal/ort"
	"github.com/evalkit/evalkit/nd"
)

var ijbFixture = filepath.Join("..", "..", "testdata", "ijb")

// needModelLibs skips the test without ONNX Runtime or libjpeg-turbo (the
// reference decoded with OpenCV).
func needModelLibs(t *testing.T) {
	t.Helper()
	if _, err := ort.Load(""); err != nil {
		t.Skipf("no ONNX Runtime library (set %s; .ci/run installs one): %v", ort.EnvVar, err)
	}
	if _, err := imagedec.New(imagedec.Options{Backend: imagedec.LibJPEGTurbo}); err != nil {
		t.Skipf("libjpeg-turbo absent: %v", err)
	}
}

// TestIJBModelMatchesInsightface runs the whole pipeline on the generated
// IJB-C directory: the table must be insightface's (gen_ijb.py, OpenCV +
// scikit-image + PyTorch), and features and pair scores agree to 1e-4.
func TestIJBModelMatchesInsightface(t *testing.T) {
	needModelLibs(t)
	dir := t.TempDir()
	scores, feats := filepath.Join(dir, "scores.npy"), filepath.Join(dir, "feats.npy")
	out, err := run(t, "ijb", "--model", filepath.Join(ijbFixture, "model.onnx"), "--ijb-dir", filepath.Join(ijbFixture, "IJBC"),
		"--target", "IJBC", "--save-scores", scores, "--save-features", feats, "--batch-size", "7", "--threads", "1")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out = withoutNotes(out)
	want, err := os.ReadFile(filepath.Join(ijbFixture, "expected_table.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, string(want)) {
		t.Errorf("table:\n%s\nwant (gen_ijb.py):\n%s", out, want)
	}
	got, err := nd.ReadNpyFile(scores)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := nd.ReadNpyFile(filepath.Join(ijbFixture, "expected_scores.npy"))
	if err != nil {
		t.Fatal(err)
	}
	g, r := got.Float64s(), ref.Float64s()
	if len(g) != len(r) {
		t.Fatalf("%d scores, want %d", len(g), len(r))
	}
	var worst float64
	for i := range g {
		worst = math.Max(worst, math.Abs(g[i]-r[i]))
	}
	if worst > 1e-4 {
		t.Errorf("scores differ from PyTorch's by up to %.3g", worst)
	}
	t.Logf("largest score difference from the PyTorch reference: %.3g", worst)
	f, err := nd.ReadNpyFile(feats)
	if err != nil {
		t.Fatal(err)
	}
	if sh := f.Shape(); len(sh) != 2 || sh[0] != 117 || sh[1] != 128 {
		t.Fatalf("features have shape %v, want (117, 128)", sh)
	}
	rf, err := nd.ReadNpyFile(filepath.Join(ijbFixture, "expected_features.npy"))
	if err != nil {
		t.Fatal(err)
	}
	var fw float64
	for i, v := range f.Float32s() {
		fw = math.Max(fw, math.Abs(float64(v-rf.Float32s()[i])))
	}
	// The features are small (|f| <= 0.16) and centred by the last
	// BatchNorm, which cancels most of their magnitude: ONNX Runtime and
	// PyTorch differ here by up to 3e-5, a 1-level pixel difference in an
	// aligned crop by about as much.
	if fw > 1e-4 {
		t.Errorf("features differ from PyTorch's by up to %.3g", fw)
	}
	t.Logf("largest feature difference from the PyTorch reference: %.3g", fw)
	// The saved features give the same table through --features.
	again, err := run(t, "ijb", "--features", feats, "--meta-dir", filepath.Join(ijbFixture, "IJBC", "meta"), "--method", "model")
	if err != nil || withoutNotes(again) != out {
		t.Errorf("--features on the saved features: %v\n%s\nwant\n%s", err, again, out)
	}
}

// withoutNotes drops the "evalkit: …" lines the command writes to stderr
// (run captures both streams).
func withoutNotes(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, "evalkit: ") {
			b.WriteString(l)
		}
	}
	return b.String()
}

func TestIJBModelErrors(t *testing.T) {
	model := filepath.Join(ijbFixture, "model.onnx")
	ijbDir := filepath.Join(ijbFixture, "IJBC")
	notONNX := filepath.Join(ijbFixture, "expected_table.txt")
	for _, c := range []struct {
		name string
		args []string
		want string
		libs bool
	}{
		{"no dir", []string{"--model", model}, "--ijb-dir", false},
		{"features too", []string{"--model", model, "--ijb-dir", ijbDir, "--features", "x.npy"}, "neither --features", false},
		{"decoder", []string{"--model", model, "--ijb-dir", ijbDir, "--jpeg-decoder", "opencv"}, "want auto, libjpeg-turbo or go", false},
		{"no meta", []string{"--model", model, "--ijb-dir", t.TempDir()}, "ijbc_face_tid_mid.txt", false},
		{"no library", []string{"--model", model, "--ijb-dir", ijbDir, "--ort-lib", "/nonexistent/libonnxruntime.so.1"}, "npm pack onnxruntime-node", false},
		{"not onnx", []string{"--model", notONNX, "--ijb-dir", ijbDir}, "not an ONNX model", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.libs {
				needModelLibs(t)
			}
			_, err := run(t, append([]string{"ijb"}, c.args...)...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	t.Run("image does not decode", func(t *testing.T) {
		needModelLibs(t)
		dir := t.TempDir()
		for _, sub := range []string{"meta", "loose_crop"} {
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range []string{"ijbc_face_tid_mid.txt", "ijbc_template_pair_label.txt", "ijbc_name_5pts_score.txt"} {
			b, err := os.ReadFile(filepath.Join(ijbDir, "meta", name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "meta", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		entries, err := os.ReadDir(filepath.Join(ijbDir, "loose_crop"))
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range entries {
			b, err := os.ReadFile(filepath.Join(ijbDir, "loose_crop", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if i == 5 {
				b = []byte("this is not a JPEG")
			}
			if err := os.WriteFile(filepath.Join(dir, "loose_crop", e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err = run(t, "ijb", "--model", model, "--ijb-dir", dir)
		if err == nil || !strings.Contains(err.Error(), entries[5].Name()) || !strings.Contains(err.Error(), "does not decode") {
			t.Errorf("error %v, want one naming %s and saying it does not decode", err, entries[5].Name())
		}
	})
}
