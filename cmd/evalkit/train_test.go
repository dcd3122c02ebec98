package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/train"
)

// smallNet keeps CLI training tests quick.
var smallNet = []string{"--hidden", "64", "--emb-size", "32", "--pairs", "200", "--verify-every", "40"}

func args(a ...[]string) []string { return slices.Concat(a...) }

var (
	speedLine = regexp.MustCompile(`^INFO:root:Epoch\[0\] Batch \[(\d+)-(\d+)\]\tSpeed: \d+\.\d\d samples/sec\tacc=\d\.\d{6}\tlossvalue=\d+\.\d{6}$`)
	valLine   = regexp.MustCompile(`^INFO:root:Epoch\[(\d+)\] Validation-acc=(\d\.\d{6})$`)
)

func TestDemoOneEpoch(t *testing.T) {
	out := t.TempDir()
	stdout, err := run(t, args([]string{"demo", "--out", out, "--epochs", "1"}, smallNet)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if !strings.HasPrefix(lines[0], "evalkit: training on the embedded Fashion-MNIST subset (5000 training, 1000 held-out images, 200 verification pairs); arcface head, 1 epochs of 78 batches") {
		t.Errorf("first line %q", lines[0])
	}
	var windows []string
	for _, l := range lines {
		if m := speedLine.FindStringSubmatch(l); m != nil {
			windows = append(windows, m[1]+"-"+m[2])
		}
	}
	// MXNet's Speedometer quirk: the first window is [0-20]; 78 batches give 3 lines.
	if !slices.Equal(windows, []string{"0-20", "20-40", "40-60"}) {
		t.Errorf("Speedometer windows %v, want [0-20 20-40 40-60]", windows)
	}
	for _, want := range []string{
		"[fashion][40]XNorm: ", "[fashion][40]Accuracy-Flip: ", "[40]Accuracy-Highest: ",
		"INFO:root:Epoch[0] Train-acc=", "INFO:root:Epoch[0] Train-lossvalue=", "INFO:root:Epoch[0] Time cost=",
		"INFO:root:Epoch[0] Validation-acc=", "INFO:root:Epoch[0] Validation-lossvalue=", "evalkit: validation accuracy ",
	} {
		if !strings.Contains(stdout, "\n"+want) {
			t.Errorf("output lacks a line starting %q", want)
		}
	}
	for _, f := range []string{train.CheckpointFile, train.MetricsFile, train.CurvesFile} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, train.CurvesFile))
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("curves.png: %v", err)
	}
	// The metrics log is the event stream as JSON lines; the Speedometer
	// windows carry the values.
	f, _ := os.Open(filepath.Join(out, train.MetricsFile))
	defer f.Close()
	sc := bufio.NewScanner(f)
	speed, summary := 0, false
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("metrics log line %q: %v", sc.Text(), err)
		}
		if rec["event"] == "speed" {
			if _, ok := rec["values"].(map[string]any)["acc"].(float64); !ok {
				t.Errorf("Speedometer record without acc: %v", rec)
			}
			speed++
		}
		summary = summary || rec["event"] == "summary"
	}
	if speed != 3 || !summary {
		t.Errorf("metrics log: %d Speedometer records (want 3), summary %v", speed, summary)
	}
	ck, err := fit.LoadCheckpoint(filepath.Join(out, train.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if ck.State == nil || ck.State.Epoch != 1 || ck.State.Batch != 0 || len(ck.Arg) != 5 || ck.Optimizer == nil {
		t.Errorf("checkpoint: state %+v, %d params", ck.State, len(ck.Arg))
	}
}

func TestDemoJSONLog(t *testing.T) {
	stdout, err := run(t, args([]string{"demo", "--out", t.TempDir(), "--epochs", "1", "--json-log"}, smallNet)...)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "{") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			n++
		}
	}
	if n < 8 {
		t.Errorf("%d JSON lines, want the Speedometer, epoch and verification records", n)
	}
}

// The README's main job: the default demo ends with validation accuracy
// of at least 0.80.
func TestDemoAcceptance(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the full demo")
	}
	stdout, err := run(t, "demo", "--out", t.TempDir(), "--hidden", "256")
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var last float64 = -1
	epochs := 0
	for _, l := range strings.Split(stdout, "\n") {
		if m := valLine.FindStringSubmatch(l); m != nil {
			last, _ = strconv.ParseFloat(m[2], 64)
			epochs++
		}
	}
	if epochs != 15 || last < 0.80 {
		t.Errorf("%d epochs, last Validation-acc %v; want 15 and >= 0.80", epochs, last)
	}
}

// Training one epoch, then resuming for a second, ends with the same
// parameters as two epochs in one go.
func TestTrainResume(t *testing.T) {
	base := args([]string{"--epochs", "2", "--lr-steps", "100", "--batch-size", "100"}, smallNet)
	whole := t.TempDir()
	if out, err := run(t, args([]string{"train", "--out", whole}, base)...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	parts := t.TempDir()
	first := slices.Clone(base)
	first[1] = "1"
	if out, err := run(t, args([]string{"train", "--out", parts}, first)...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ck := filepath.Join(parts, train.CheckpointFile)
	// Without --epochs the stored target (1) is reached: nothing to train.
	if _, err := run(t, "train", "--out", parts, "--resume", ck); err == nil || !strings.Contains(err.Error(), "the checkpoint is at epoch 1; --epochs 1 leaves nothing to train") {
		t.Errorf("resuming a finished run: %v", err)
	}
	// Every other setting (batch size, lr steps, seed, pairs) comes from the checkpoint.
	out, err := run(t, "train", "--out", parts, "--resume", ck, "--epochs", "2")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Contains(out, "Epoch[0]") || !strings.Contains(out, "Epoch[1] Validation-acc=") {
		t.Errorf("resumed run should train epoch 1 only:\n%s", out)
	}
	a, err := fit.LoadCheckpoint(filepath.Join(whole, train.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	b, err := fit.LoadCheckpoint(ck)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range a.Arg {
		if !slices.Equal(b.Arg[name].Float32s(), w.Float32s()) {
			t.Errorf("%s differs between the resumed and the uninterrupted run", name)
		}
	}
	// fit.SGD's state (learning rate and the momentum buffers of the five
	// parameters) encodes deterministically: the resumed run's bytes are
	// the uninterrupted run's.
	if !bytes.Equal(a.Optimizer, b.Optimizer) {
		t.Error("optimizer states differ between the resumed and the uninterrupted run")
	}
	// 100 batches with --lr-steps 100: the learning rate 0.1 was cut once.
	restored, wantLR := fit.NewSGD(1), 0.1
	wantLR *= 0.1 // in float64: 0.010000000000000002
	if err := restored.UnmarshalBinary(b.Optimizer); err != nil || restored.LR != wantLR {
		t.Errorf("optimizer state: %v, lr %v, want 0.1 × 0.1", err, restored.LR)
	}
	if !bytes.Contains(a.Optimizer, []byte("fc1_weight")) {
		t.Error("optimizer state lacks the fc1_weight momentum buffer")
	}
}

func TestTrainErrors(t *testing.T) {
	dir := t.TempDir()
	corruptData := filepath.Join(dir, "data")
	os.Mkdir(corruptData, 0o755)
	for _, n := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		os.WriteFile(filepath.Join(corruptData, n), []byte{0, 0, 8, 3, 0, 0, 0}, 0o644)
	}
	junk := filepath.Join(dir, "junk.npz")
	os.WriteFile(junk, []byte("not a zip file at all"), 0o644)
	// A valid checkpoint that is not an evalkit model's.
	foreign := filepath.Join(dir, "foreign.npz")
	if err := fit.SaveCheckpoint(foreign, &fit.Checkpoint{State: &fit.TrainState{Epoch: 1}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"missing data", []string{"--data", filepath.Join(dir, "nope")}, "no such file or directory"},
		{"corrupt data", []string{"--data", corruptData}, "want 3 dimension sizes"},
		{"missing checkpoint", []string{"--resume", filepath.Join(dir, "none.npz")}, "does not exist"},
		{"corrupt checkpoint", []string{"--resume", junk}, "corrupt or not an evalkit checkpoint"},
		{"foreign checkpoint", []string{"--resume", foreign}, "no network config"},
		{"epochs", []string{"--epochs", "0"}, "--epochs must be > 0, got 0"},
		{"margin", []string{"--margin", "sphereface"}, `unknown head "sphereface"`},
		{"lr", []string{"--lr", "-1"}, "--lr must be a positive number, got -1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(c.name, " ", "-"))
			_, err := run(t, args([]string{"train", "--out", out}, smallNet, c.args)...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			}
			if _, err := os.Stat(filepath.Join(out, train.CheckpointFile)); err == nil {
				t.Errorf("%s: a checkpoint was written", c.name)
			}
		})
	}
}

// A checkpoint whose parameters do not fit its stored network is refused
// before training.
func TestTrainResumeMismatchedParams(t *testing.T) {
	out := t.TempDir()
	if o, err := run(t, args([]string{"train", "--out", out, "--epochs", "1"}, smallNet)...); err != nil {
		t.Fatalf("%v\n%s", err, o)
	}
	p := filepath.Join(out, train.CheckpointFile)
	ck, err := fit.LoadCheckpoint(p)
	if err != nil {
		t.Fatal(err)
	}
	ck.Arg["fc1_bias"] = ck.Arg["hidden0_bias"] // 64 values where 32 belong
	bad := filepath.Join(out, "bad.npz")
	if err := fit.SaveCheckpoint(bad, ck); err != nil {
		t.Fatal(err)
	}
	_, err = run(t, "train", "--out", out, "--resume", bad, "--epochs", "2", "--hidden", "64")
	if err == nil || !strings.Contains(err.Error(), "fc1_bias is float32(64,), want float32(32,)") {
		t.Errorf("error %v", err)
	}
}

func TestTrainFullDataset(t *testing.T) {
	dir := "/usr/share/datasets/fashion-mnist"
	if os.Getenv("EVALKIT_FULL_TRAIN") == "" {
		t.Skip("set EVALKIT_FULL_TRAIN=1 to train on the full Fashion-MNIST (about a minute on 2 cores)")
	}
	if _, _, err := dataset.LoadFashionMNIST(dir); err != nil {
		t.Skipf("full Fashion-MNIST not available: %v", err)
	}
	stdout, err := run(t, "train", "--data", dir, "--out", t.TempDir(), "--hidden", "256", "--epochs", "10")
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var last float64
	for _, l := range strings.Split(stdout, "\n") {
		if m := valLine.FindStringSubmatch(l); m != nil {
			last, _ = strconv.ParseFloat(m[2], 64)
		}
	}
	if last < 0.85 {
		t.Errorf("test accuracy %v, want >= 0.85", last)
	}
}

// --tensorboard and --metrics-addr reach the run: an event file is
// written and the endpoint is announced (the train package tests both
// outputs' content, with a real Prometheus server).
func TestDemoSinkFlags(t *testing.T) {
	out := t.TempDir()
	tb := filepath.Join(out, "tb")
	stdout, err := run(t, args([]string{"demo", "--out", out, "--epochs", "1", "--tensorboard", tb, "--metrics-addr", "127.0.0.1:0"}, smallNet)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	files, _ := filepath.Glob(filepath.Join(tb, "events.out.tfevents.*"))
	if len(files) != 1 || !strings.Contains(stdout, "evalkit: writing TensorBoard events to "+files[0]+"\n") {
		t.Errorf("event files %v; output:\n%s", files, stdout)
	}
	if !regexp.MustCompile(`evalkit: serving Prometheus metrics at http://127\.0\.0\.1:\d+/metrics\n`).MatchString(stdout) {
		t.Errorf("no serving line:\n%s", stdout)
	}
	if _, err := run(t, "demo", "--out", out, "--metrics-addr", "127.0.0.1:99999"); err == nil || !strings.Contains(err.Error(), "invalid port") {
		t.Errorf("bad --metrics-addr: %v", err)
	}
}
