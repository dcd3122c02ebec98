package fit

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"log/slog"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

var tenth = 0.1 // a variable, so 0.1*0.1 is not constant-folded

func TestPyFormat(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		v    float64
		repr string
		f6   string
	}{
		{2.0 / 3, "0.6666666666666666", "0.666667"},
		{0.8, "0.8", "0.800000"},
		{1, "1.0", "1.000000"},
		{0, "0.0", "0.000000"},
		{math.Copysign(0, -1), "-0.0", "-0.000000"},
		{math.NaN(), "nan", "nan"},
		{inf, "inf", "inf"},
		{-inf, "-inf", "-inf"},
		{1e-05, "1e-05", "0.000010"},
		{1.5e-5, "1.5e-05", "0.000015"},
		{0.0001, "0.0001", "0.000100"},
		{1e16, "1e+16", "10000000000000000.000000"},
		{1.2345e17, "1.2345e+17", "123450000000000000.000000"},
		{123456789012345.0, "123456789012345.0", "123456789012345.000000"},
		{9999999999999998, "9999999999999998.0", "9999999999999998.000000"},
		{tenth * tenth, "0.010000000000000002", "0.010000"},
		{100, "100.0", "100.000000"},
		{5e-324, "5e-324", "0.000000"},
		{1e22, "1e+22", "10000000000000000000000.000000"},
		{-2.5e-7, "-2.5e-07", "-0.000000"},
		{1e100, "1e+100", strconv.FormatFloat(1e100, 'f', 6, 64)},
	} {
		t.Run(c.repr, func(t *testing.T) {
			if got := PyRepr(c.v); got != c.repr {
				t.Errorf("PyRepr(%v) = %q, want %q", c.v, got, c.repr)
			}
			if got := PyFloat(c.v, 6); got != c.f6 {
				t.Errorf("PyFloat(%v, 6) = %q, want %q", c.v, got, c.f6)
			}
		})
	}
	// %.2f / %.3f round the exact binary value, half to even on ties.
	for _, c := range []struct {
		v    float64
		prec int
		want string
	}{{0.125, 2, "0.12"}, {0.375, 2, "0.38"}, {2.675, 2, "2.67"}, {1.0005, 3, "1.000"}, {7, 3, "7.000"}, {2.5, 0, "2"}} {
		t.Run(fmt.Sprint(c.v, c.prec), func(t *testing.T) {
			if got := PyFloat(c.v, c.prec); got != c.want {
				t.Errorf("PyFloat(%v, %d) = %q, want %q", c.v, c.prec, got, c.want)
			}
		})
	}
}

func TestProgressBar(t *testing.T) {
	for _, c := range []struct {
		total, length, n int
		want             string
	}{
		{4, 8, 2, "[====----] 50%\r"},
		{32, 80, 1, "[==" + strings.Repeat("-", 78) + "] 4%\r"},        // round(2.5) = 2, ceil(3.125) = 4
		{32, 80, 3, "[========" + strings.Repeat("-", 72) + "] 10%\r"}, // round(7.5) = 8, ceil(9.375)
		{4, 8, 0, "[--------] 0%\r"},
		{4, 8, 6, "[============] 150%\r"}, // past the end: Python's '-'*negative is ''
	} {
		t.Run(fmt.Sprint(c.total, c.length, c.n), func(t *testing.T) {
			got, err := NewProgressBar(c.total, c.length).Line(c.n)
			if err != nil || got != c.want {
				t.Errorf("ProgressBar(%d,%d) at %d = %q, %v; want %q", c.total, c.length, c.n, got, err, c.want)
			}
		})
	}
	if _, err := NewProgressBar(0, 80).Line(1); err == nil {
		t.Error("total 0 accepted")
	}
}

func TestSpeedometerEdges(t *testing.T) {
	log, buf := captureLogger()
	clock := newFakeClock()
	s := NewSpeedometer(8, 2)
	s.Now, s.Logger = clock.Now, log
	for n := 0; n < 5; n++ {
		clock.Advance(2 * time.Second)
		if err := s.BatchEnd(BatchEndParam{Epoch: 3, NBatch: n}); err != nil {
			t.Fatal(err)
		}
	}
	// A new epoch (index goes down) restarts the window silently.
	if err := s.BatchEnd(BatchEndParam{Epoch: 4, NBatch: 0}); err != nil {
		t.Fatal(err)
	}
	// Zero elapsed time: inf.
	if err := s.BatchEnd(BatchEndParam{Epoch: 4, NBatch: 2}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Iter[3] Batch [2]\tSpeed: 4.00 samples/sec",
		"Iter[3] Batch [4]\tSpeed: 4.00 samples/sec",
		"Iter[4] Batch [2]\tSpeed: inf samples/sec",
	}
	if d := diffLines(lines(buf), want); d != "" {
		t.Error(d)
	}
	if err := NewSpeedometer(1, 0).BatchEnd(BatchEndParam{NBatch: 1}); err == nil {
		t.Error("frequent 0 accepted")
	}
}

// TestCallbacksSeeResetMetric is quirk 18: a callback after an auto-reset
// Speedometer sees a fresh window.
func TestCallbacksSeeResetMetric(t *testing.T) {
	log, buf := captureLogger()
	clock := newFakeClock()
	sp := NewSpeedometer(2, 3)
	sp.Now, sp.Logger = clock.Now, log
	lt := NewLogTrainMetric(3, true)
	lt.Logger = log
	val := &LogValidationMetrics{Logger: log}
	acc := metric.NewAccuracy(1, metric.Options{OutputNames: []string{"softmax_output"}})
	err := Fit(context.Background(), newScripted(clock), spec79Iter(), Config{NumEpoch: 1, EvalMetric: acc, BatchEnd: []BatchEndCallback{sp, lt}, EvalData: correctIter(2, [][]int{{1, 0}}), EvalEnd: []BatchEndCallback{val}, Logger: log, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Iter[0] Batch[0] Train-accuracy=1.000000",
		"Epoch[0] Batch [0-3]\tSpeed: 2.00 samples/sec\taccuracy=0.500000", // batches 1-3: log_train reset at 0
		"Iter[0] Batch[3] Train-accuracy=nan",                              // the Speedometer reset just before
		"Epoch[0] Batch [3-6]\tSpeed: 2.00 samples/sec\taccuracy=0.500000",
		"Iter[0] Batch[6] Train-accuracy=nan",
		"Epoch[0] Train-accuracy=0.571429", // global statistics are untouched
		"Epoch[0] Time cost=7.000",
		"Epoch[0] Validation-accuracy=0.500000", // LogValidationMetrics (eval-end callback)
		"Epoch[0] Validation-accuracy=0.500000", // fit's own line
	}
	got := lines(buf)
	if d := diffLines(got, want); d != "" {
		t.Error(d)
	}
}

func TestPlainHandler(t *testing.T) {
	var out, pr bytes.Buffer
	h := NewPlainHandler(&out, &PlainOptions{Prefix: true, Print: &pr})
	log := slog.New(h)
	log.Info("Epoch[0] Train-acc=0.5")
	log.Warn("careful")
	log.Debug("hidden")
	log.Info("[lfw][2000]XNorm: 22.075580", PrintAttr, true)
	log.With(PrintAttr, true).Info("saving 1")
	if got, want := out.String(), "INFO:root:Epoch[0] Train-acc=0.5\nWARNING:root:careful\n"; got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
	if got, want := pr.String(), "[lfw][2000]XNorm: 22.075580\nsaving 1\n"; got != want {
		t.Errorf("print = %q, want %q", got, want)
	}
	var tb bytes.Buffer
	th := NewPlainHandler(&tb, &PlainOptions{Torch: true})
	ts := time.Date(2022, 10, 27, 4, 59, 19, 503_000_000, time.Local)
	_ = th.Handle(context.Background(), slog.NewRecord(ts, slog.LevelInfo, "Speed 927.28 samples/sec", 0))
	if got, want := tb.String(), "Training: 2022-10-27 04:59:19,503-Speed 927.28 samples/sec\n"; got != want {
		t.Errorf("torch = %q, want %q", got, want)
	}
}

// scriptedVerifier returns one result per call from a list.
type scriptedVerifier struct {
	accs []float64
	i    int
}

func (v *scriptedVerifier) Verify(context.Context, Module) (VerifyResult, error) {
	a := v.accs[v.i]
	v.i++
	return VerifyResult{Acc2: a, Std2: 0.00245, XNorm: 22.07558}, nil
}

// TestInsightfaceHighest works insightface's highest-accuracy rule through a hand-worked example.
func TestInsightfaceHighest(t *testing.T) {
	rows := [][3]float64{{.99, .90, .92}, {.995, .91, .92}, {.996, .93, .92}, {.99, .90, .95}, {.99, .99, .95}, {.98, .90, .95}}
	wantSave := []int{1, 2, 3, 4, 5, 0}
	wantState := [][2]float64{{0, .92}, {2.825, .92}, {2.846, .92}, {2.846, .95}, {2.93, .95}, {2.93, .95}}
	for _, ckpt := range []int{1, 3, 0, 2} {
		dir := t.TempDir()
		prefix := filepath.Join(dir, "model")
		var targets []VerifyTarget
		for j, name := range []string{"lfw", "cfp_fp", "agedb_30"} {
			v := &scriptedVerifier{}
			for _, r := range rows {
				v.accs = append(v.accs, r[j])
			}
			targets = append(targets, VerifyTarget{Name: name, Verifier: v})
		}
		log, buf := captureLogger()
		cb := NewInsightfaceCallback(2, 20, prefix, targets)
		cb.Verbose, cb.Ckpt, cb.Logger = 1, ckpt, log
		cb.Speedometer.Logger = log
		mod := newScripted(nil)
		for i := range rows {
			buf.Reset()
			if err := cb.BatchEnd(BatchEndParam{NBatch: i, Module: mod, Optimizer: NewSGD(0.1)}); err != nil {
				t.Fatal(err)
			}
			last, sum := cb.Highest()
			if math.Abs(last-wantState[i][1]) > 1e-12 || math.Abs(sum-wantState[i][0]) > 1e-12 {
				t.Errorf("ckpt %d row %d: state [%v %v], want %v", ckpt, i, sum, last, wantState[i])
			}
			got := lines(buf)
			if got[0] != "[lfw]["+strconv.Itoa(i+1)+"]XNorm: 22.075580" || got[1] != "[lfw]["+strconv.Itoa(i+1)+"]Accuracy-Flip: "+PyFloat(rows[i][0], 5)+"+-0.00245" {
				t.Errorf("lines %q", got[:2])
			}
			save := wantSave[i]
			switch ckpt {
			case 0:
				save = 0
			case 2:
				save = i + 1
			case 3:
				if save != 0 {
					save = 1
				}
			}
			tail := got[6:]
			var want []string
			if save != 0 {
				p := ParamsPath(prefix, save)
				want = append(want, "saving "+strconv.Itoa(save), `Saved checkpoint to "`+p+`"`)
				if _, err := os.Stat(p); err != nil {
					t.Error(err)
				}
			}
			want = append(want, "["+strconv.Itoa(i+1)+"]Accuracy-Highest: "+PyFloat(wantState[i][1], 5))
			if d := diffLines(tail, want); d != "" {
				t.Errorf("ckpt %d row %d:\n%s", ckpt, i, d)
			}
		}
	}
}

func TestInsightfaceLRAndStop(t *testing.T) {
	log, buf := captureLogger()
	cb := &InsightfaceCallback{Verbose: 5000, LRSteps: []int{2, 4}, MaxSteps: 1001, Logger: log}
	opt := NewSGD(0.1)
	var err error
	for i := 0; i < 1002 && err == nil; i++ {
		err = cb.BatchEnd(BatchEndParam{Epoch: 0, NBatch: i, Optimizer: opt})
	}
	if err != ErrStop || cb.GlobalStep() != 1002 {
		t.Fatalf("err = %v at step %d", err, cb.GlobalStep())
	}
	want := []string{"lr change to 0.010000000000000002", "lr change to 0.0010000000000000002", "lr-batch-epoch: 0.0010000000000000002 999 0"}
	if d := diffLines(lines(buf), want); d != "" {
		t.Error(d)
	}
	if got := InsightfaceLRSteps(nil, 4, 512); !equalInts(got, []int{100000, 140000, 160000}) {
		t.Errorf("steps = %v", got)
	}
	if got := InsightfaceLRSteps(nil, 0, 384); !equalInts(got, []int{53333, 80000, 106666}) {
		t.Errorf("steps = %v", got)
	}
	// ErrStop through Fit: a clean nil after max_steps+1 batches.
	mod := newScripted(nil)
	cb = &InsightfaceCallback{Verbose: 5000, MaxSteps: 3, Logger: log}
	if err := Fit(context.Background(), mod, spec79Iter(), Config{NumEpoch: 5, EvalMetric: insightfaceComposite(), BatchEnd: []BatchEndCallback{cb}, Logger: log}); err != nil || mod.nFwd != 4 {
		t.Errorf("Fit = %v after %d batches", err, mod.nFwd)
	}
}

func equalInts(a, b []int) bool { return slices.Equal(a, b) }

func TestCallBackLogging(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(NewPlainHandler(&b, nil))
	clock := newFakeClock()
	for _, fp16 := range []bool{false, true} {
		b.Reset()
		c := NewCallBackLogging(2, 20000, 4, 0, clock.Now)
		c.Logger = log
		var am AverageMeter
		for step := 1; step <= 6; step++ {
			clock.Advance(time.Second)
			am.Update(float64(step), 1)
			if err := c.Log(step, &am, 0, fp16, 0.1, 65536); err != nil {
				t.Fatal(err)
			}
		}
		mid := ""
		if fp16 {
			mid = "   Fp16 Grad Scale: 65536"
		}
		want := []string{
			"Speed 4.00 samples/sec   Loss 2.5000   LearningRate 0.100000   Epoch: 0   Global Step: 4" + mid + "   Required: 4 hours",
			"Speed 4.00 samples/sec   Loss 5.5000   LearningRate 0.100000   Epoch: 0   Global Step: 6" + mid + "   Required: 5 hours",
		}
		if d := diffLines(lines(&b), want); d != "" {
			t.Errorf("fp16 %v:\n%s", fp16, d)
		}
	}
}

func TestCallBackVerification(t *testing.T) {
	log, buf := captureLogger()
	lfw := &scriptedVerifier{accs: []float64{0.99, 0.98, 0.995}}
	cfp := &scriptedVerifier{accs: []float64{0.90, 0.93, 0.92}}
	c := NewCallBackVerification([]VerifyTarget{{"lfw", lfw}, {"cfp_fp", cfp}}, 2)
	c.Logger = log
	var scalars []string
	c.Scalar = func(tag string, v float64, step int) { scalars = append(scalars, tag+"@"+strconv.Itoa(step)) }
	for i := 0; i < 6; i++ {
		if err := c.BatchEnd(BatchEndParam{NBatch: i}); err != nil {
			t.Fatal(err)
		}
	}
	got := lines(buf)
	if len(got) != 18 {
		t.Fatalf("%d lines: %q", len(got), got)
	}
	want := map[int]string{
		0: "[lfw][2]XNorm: 22.075580", 1: "[lfw][2]Accuracy-Flip: 0.99000+-0.00245", 2: "[lfw][2]Accuracy-Highest: 0.99000",
		8: "[cfp_fp][4]Accuracy-Highest: 0.93000", 5: "[cfp_fp][2]Accuracy-Highest: 0.90000",
		11: "[cfp_fp][4]Accuracy-Highest: 0.93000", 14: "[lfw][6]Accuracy-Highest: 0.99500", 17: "[cfp_fp][6]Accuracy-Highest: 0.93000",
	}
	want[8] = "[lfw][4]Accuracy-Highest: 0.99000"
	for i, w := range want {
		if got[i] != w {
			t.Errorf("line %d = %q, want %q", i, got[i], w)
		}
	}
	if len(scalars) != 6 || scalars[0] != "lfw@2" {
		t.Errorf("scalars %v", scalars)
	}
	if err := c.Call(context.Background(), 0, nil); err != nil {
		t.Error(err)
	}
}

func TestEmbedWindows(t *testing.T) {
	// 5 images, batch 2: windows [0,2), [2,4), [3,5) keeping row 4 only.
	data := make([]float32, 0, 15)
	for i := 0; i < 5; i++ {
		data = append(data, float32(i), 1, 0)
	}
	imgs := nd.Must(nd.FromFloat32(data, 5, 3))
	mod := newScripted(nil)
	emb, err := Embed(context.Background(), mod, imgs, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := emb.Float32s()
	for i := 0; i < 5; i++ {
		if got[2*i] != float32(i) {
			t.Errorf("row %d = %v", i, got[2*i:2*i+2])
		}
	}
	if mod.nFwd != 3 || mod.lastTr {
		t.Errorf("%d forwards (train %v), want 3 in inference", mod.nFwd, mod.lastTr)
	}
	if _, err := Embed(context.Background(), mod, imgs, 6, 0); err == nil {
		t.Error("fewer images than the batch accepted")
	}
}

func TestPairSetVerifier(t *testing.T) {
	data := make([]float32, 0, 12)
	for i := 0; i < 4; i++ {
		data = append(data, float32(i), 1, 0)
	}
	imgs := nd.Must(nd.FromFloat32(data, 4, 3))
	log, buf := captureLogger()
	clock := newFakeClock()
	v := &PairSetVerifier{
		Images: imgs, Flipped: imgs, IsSame: []bool{true, false}, BatchSize: 2, Logger: log,
		Now: func() time.Time { clock.Advance(1500 * time.Millisecond); return clock.Now() },
		Evaluate: func(emb, flip *nd.Array, issame []bool) (VerifyResult, error) {
			if emb.Dim(0) != 4 || flip == nil || len(issame) != 2 {
				t.Errorf("Evaluate got %v %v %v", emb, flip, issame)
			}
			return VerifyResult{Acc2: 0.5, XNorm: 1}, nil
		},
	}
	r, err := v.Verify(context.Background(), newScripted(nil))
	if err != nil || r.Acc2 != 0.5 {
		t.Fatalf("%+v, %v", r, err)
	}
	if d := diffLines(lines(buf), []string{"testing verification..", "(4, 2)", "infer time 1.5"}); d != "" {
		t.Error(d)
	}
}
