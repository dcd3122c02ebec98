package main

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/imagedec"
	"github.com/evalkit/evalkit/internal/atomicfile"
	"github.com/evalkit/evalkit/internal/ort"
	"github.com/evalkit/evalkit/nd"
)

func odata(name string) string { return filepath.Join("..", "..", "testdata", "onnx", name) }

func skipWithoutORT(t *testing.T) {
	t.Helper()
	if _, err := ort.Load(""); err != nil {
		t.Skipf("no ONNX Runtime library (set %s; .ci/run installs one): %v", ort.EnvVar, err)
	}
}

// expectedLines reads verify_expected_ort.txt (gen_ort_reference.py:
// insightface's test() on ONNX Runtime embeddings of the cv2-decoded,
// blobFromImages-preprocessed images), renamed to target.
func expectedLines(t *testing.T, target string) (xnormLine, accLine string) {
	t.Helper()
	b, err := os.ReadFile(odata("verify_expected_ort.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "[fixture]XNorm: ") {
		t.Fatalf("verify_expected_ort.txt: want the XNorm and Accuracy-Flip lines, got %q", b)
	}
	rename := func(l string) string { return strings.Replace(l, "[fixture]", "["+target+"]", 1) }
	return rename(lines[0]), rename(lines[1])
}

// checkTarget checks that out holds the reference's two lines for target,
// digit for digit: the reference runs the same ONNX Runtime on the same
// float32 input, so the embeddings are the same bits (checkEmbeddings).
// The PyTorch reference (verify_expected.txt) differs in XNorm's sixth
// decimal (docs/compatibility.md); onnxmodel's tests compare embeddings
// with PyTorch's to a tolerance.
func checkTarget(t *testing.T, out, target string) {
	t.Helper()
	wantX, wantAcc := expectedLines(t, target)
	for i, want := range []string{wantX, wantAcc} {
		if !strings.Contains(out, want+"\n") {
			if i == 0 && !referenceCPU() {
				t.Logf("XNorm line differs from the reference (%q), made on a CPU with AVX-512 whose ONNX Runtime kernels this one lacks:\n%s", want, out)
				continue
			}
			t.Errorf("output lacks the reference's %q:\n%s", want, out)
		}
	}
}

// referenceCPU reports whether this CPU has AVX-512, as the one the ONNX
// Runtime reference was made on: ONNX Runtime picks its kernels by
// instruction set, so only there must its float32 bits match the
// reference's. Elsewhere the bit-level checks become tolerance checks.
func referenceCPU() bool {
	b, err := os.ReadFile("/proc/cpuinfo")
	return err == nil && strings.Contains(string(b), " avx512f")
}

// checkEmbeddings compares the arrays verify --save-embeddings wrote for
// target with the reference's ONNX Runtime embeddings, bit for bit. ONNX
// Runtime picks its CPU kernels by instruction set: the reference was made
// on an x86-64 CPU with AVX-512; on another kind of CPU the bits (and
// perhaps XNorm's last digit) may differ from both sides' runs there.
func checkEmbeddings(t *testing.T, dir, target string) {
	t.Helper()
	for _, p := range [][2]string{{target + ".npy", "emb_ort.npy"}, {target + "_flip.npy", "emb_ort_flip.npy"}} {
		got, err := nd.ReadNpyFile(filepath.Join(dir, p[0]))
		if err != nil {
			t.Fatal(err)
		}
		want, err := nd.ReadNpyFile(odata(p[1]))
		if err != nil {
			t.Fatal(err)
		}
		g, w := got.Float32s(), want.Float32s()
		if len(g) != len(w) {
			t.Fatalf("%s: %d values, reference %s has %d", p[0], len(g), p[1], len(w))
		}
		diffs, maxDiff := 0, 0.0
		for i := range g {
			if math.Float32bits(g[i]) != math.Float32bits(w[i]) {
				diffs++
				maxDiff = max(maxDiff, math.Abs(float64(g[i])-float64(w[i])))
			}
		}
		switch {
		case diffs > 0 && referenceCPU():
			t.Errorf("%s: %d of %d values differ from %s's bits (max |Δ| %g)", p[0], diffs, len(g), p[1], maxDiff)
		case maxDiff > 1e-5:
			t.Errorf("%s: values differ from %s by up to %g (more than float32 kernels on another CPU explain)", p[0], p[1], maxDiff)
		case diffs > 0:
			t.Logf("%s: %d of %d values differ from %s's bits by up to %g: this CPU lacks the reference CPU's AVX-512", p[0], diffs, len(g), p[1], maxDiff)
		}
	}
}

func TestVerifyModel(t *testing.T) {
	skipWithoutORT(t)
	dir := t.TempDir()
	out, errOut, err := runCLI(t, "verify", "--model", odata("fixture.onnx"), "--bin", odata("fixture_png.bin"),
		"--bin", odata("fixture.bin"), "--threads", "1", "--batch-size", "7", "--save-embeddings", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	// fixture_png.bin holds the very pixels the reference decoded.
	checkTarget(t, out, "fixture_png")
	checkEmbeddings(t, dir, "fixture_png")
	// fixture.bin holds the JPEGs: libjpeg-turbo decodes them to OpenCV's
	// pixels, so the reference's digits again; Go's image/jpeg (the fallback
	// without libturbojpeg.so.0) does not (docs/compatibility.md).
	if strings.Index(out, "[fixture]") < strings.Index(out, "[fixture_png]") {
		t.Errorf("second target missing or out of order:\n%s", out)
	}
	if _, err := imagedec.New(imagedec.Options{Backend: imagedec.LibJPEGTurbo}); err == nil {
		checkTarget(t, out, "fixture")
		checkEmbeddings(t, dir, "fixture")
	} else {
		t.Logf("no libjpeg-turbo (%v): the JPEG target's digits are not compared", err)
	}
	for _, name := range []string{"fixture_png.npy", "fixture_png_flip.npy", "fixture.npy", "fixture_flip.npy"} {
		a, err := nd.ReadNpyFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Shape(); !cmp.Equal(got, []int{80, 128}) || a.DType() != nd.Float32 {
			t.Errorf("%s: %s %v, want float32 [80 128]", name, a.DType(), got)
		}
	}
	// The saved arrays rerun through verify --embeddings print the same lines.
	again, _, err := runCLI(t, "verify", "--embeddings", filepath.Join(dir, "fixture_png.npy"),
		"--flip-embeddings", filepath.Join(dir, "fixture_png_flip.npy"), "--bin", odata("fixture_png.bin"))
	if err != nil || !strings.HasPrefix(out, again) {
		t.Errorf("rerun from --save-embeddings (err %v) printed\n%s\nnot the start of\n%s", err, again, out)
	}
}

// TestVerifyModelGoJPEG pins what Go's image/jpeg makes of the fixture's
// JPEGs: other pixels than OpenCV's, hence another printed accuracy
// (docs/compatibility.md).
func TestVerifyModelGoJPEG(t *testing.T) {
	skipWithoutORT(t)
	out, _, err := runCLI(t, "verify", "--model", odata("fixture.onnx"), "--bin", odata("fixture.bin"), "--jpeg-decoder", "go")
	if err != nil {
		t.Fatal(err)
	}
	_, ref := expectedLines(t, "fixture")
	if want := "[fixture]Accuracy-Flip: 0.92500+-0.16008\n"; !strings.Contains(out, want) || strings.Contains(out, ref+"\n") {
		t.Errorf("with image/jpeg: want %q (the reference, from OpenCV's pixels, is %q); got\n%s", want, ref, out)
	}
}

func TestVerifyModelJSON(t *testing.T) {
	skipWithoutORT(t)
	out, _, err := runCLI(t, "verify", "--model", odata("fixture.onnx"), "--bin", odata("fixture_png.bin"),
		"--bin", odata("fixture_png.bin"), "--json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	n := 0
	for {
		var v struct {
			Name        string  `json:"name"`
			Pairs       int     `json:"pairs"`
			Flip        bool    `json:"flip"`
			Accuracy    float64 `json:"accuracy"`
			AccuracyStd float64 `json:"accuracy_std"`
		}
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		_, acc := expectedLines(t, "fixture_png")
		if got := "[fixture_png]Accuracy-Flip: " + strconv.FormatFloat(v.Accuracy, 'f', 5, 64) + "+-" + strconv.FormatFloat(v.AccuracyStd, 'f', 5, 64); v.Name != "fixture_png" || v.Pairs != 40 || !v.Flip || got != acc {
			t.Errorf("object %d: %+v, want %s", n, v, acc)
		}
	}
	if n != 2 {
		t.Errorf("%d JSON objects, want one per --bin (2)", n)
	}
}

func TestEmbedCommand(t *testing.T) {
	skipWithoutORT(t)
	dir := t.TempDir()
	emb, flip := filepath.Join(dir, "emb.npy"), filepath.Join(dir, "flip.npy")
	out, _, err := runCLI(t, "embed", "--model", odata("fixture.onnx"), "--bin", odata("fixture_png.bin"), "--out", emb, "--flip-out", flip)
	if err != nil {
		t.Fatal(err)
	}
	if want := "wrote 80 × 128 embeddings to " + emb + "\nwrote 80 × 128 mirror embeddings to " + flip + "\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
	// The same images exported as files and listed embed to the same rows.
	exp := filepath.Join(dir, "images")
	if _, _, err := runCLI(t, "verify", "--bin", odata("fixture_png.bin"), "--export-images", exp); err != nil {
		t.Fatal(err)
	}
	fromList := filepath.Join(dir, "list.npy")
	if _, _, err := runCLI(t, "embed", "--model", odata("fixture.onnx"), "--images", filepath.Join(exp, "images.txt"), "--out", fromList); err != nil {
		t.Fatal(err)
	}
	a, err := nd.ReadNpyFile(emb)
	if err != nil {
		t.Fatal(err)
	}
	b, err := nd.ReadNpyFile(fromList)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(a.Float32s(), b.Float32s()) {
		t.Error("embeddings of the listed image files differ from those of the .bin's images")
	}
	if _, err := os.Stat(filepath.Join(dir, "flip.npy")); err != nil {
		t.Error(err)
	}
}

func TestModelCommandErrors(t *testing.T) {
	skipWithoutORT(t)
	dir := t.TempDir()
	// A .bin whose fourth image is not an image.
	b, err := dataset.ReadBinFile(odata("fixture_png.bin"))
	if err != nil {
		t.Fatal(err)
	}
	b.Images[3] = []byte("garbage")
	bad := filepath.Join(dir, "bad.bin")
	if err := atomicfile.Write(bad, func(w io.Writer) error { return dataset.WriteBin(w, b) }); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "e.npy")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"missing library", []string{"embed", "--model", odata("fixture.onnx"), "--bin", odata("fixture_png.bin"), "--out", out,
			"--ort-lib", filepath.Join(dir, "libonnxruntime.so.1")}, "npm pack onnxruntime-node@1.30.0"},
		{"not onnx", []string{"verify", "--model", odata("fixture.bin"), "--bin", odata("fixture_png.bin")}, "is not an ONNX model"},
		{"wrong rank", []string{"embed", "--model", odata("bad_rank.onnx"), "--bin", odata("fixture_png.bin"), "--out", out}, "want rank 4"},
		{"wrong channels", []string{"embed", "--model", odata("bad_channels.onnx"), "--bin", odata("fixture_png.bin"), "--out", out}, "want 3 colour channels"},
		{"undecodable image", []string{"verify", "--model", odata("fixture.onnx"), "--bin", bad}, "image 3 (7 bytes) does not decode"},
		{"no bin", []string{"verify", "--model", odata("fixture.onnx")}, "needs at least one --bin"},
		{"two bins without model", []string{"verify", "--embeddings", out, "--bin", "a.bin", "--bin", "b.bin"}, "several --bin files need --model"},
		{"embed without input", []string{"embed", "--model", odata("fixture.onnx"), "--out", out}, "one of --bin or --images"},
		{"batch size", []string{"embed", "--model", odata("fixture.onnx"), "--bin", odata("fixture_png.bin"), "--out", out, "--batch-size", "0"}, "--batch-size must be at least 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runCLI(t, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed embed left %s behind (%v)", out, err)
	}
}
