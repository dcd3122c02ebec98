package fit

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/metric/insightface"
	"github.com/evalkit/evalkit/nd"
)

func insightfaceComposite() metric.Metric {
	return metric.NewComposite(metric.Options{}, insightface.NewAccMetric(), insightface.NewLossValueMetric())
}

// TestSpec79InsightfaceAutoReset reproduces the hand-worked insightface run (spec79Iter) line for
// line, over two epochs (the lines repeat in epoch 1).
func TestSpec79InsightfaceAutoReset(t *testing.T) {
	clock := newFakeClock()
	log, buf := captureLogger()
	sp := NewSpeedometer(2, 3)
	sp.Now, sp.Logger = clock.Now, log
	err := Fit(context.Background(), newScripted(clock), spec79Iter(), Config{NumEpoch: 2, EvalMetric: insightfaceComposite(), BatchEnd: []BatchEndCallback{sp}, Logger: log, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range []string{"0", "1"} {
		want = append(want,
			"Epoch["+e+"] Batch [0-3]\tSpeed: 2.00 samples/sec\tacc=0.625000\tlossvalue=2.500000",
			"Epoch["+e+"] Batch [3-6]\tSpeed: 2.00 samples/sec\tacc=0.500000\tlossvalue=6.000000",
			"Epoch["+e+"] Train-acc=0.500000",
			"Epoch["+e+"] Train-lossvalue=6.000000",
			"Epoch["+e+"] Time cost=7.000",
		)
	}
	if d := diffLines(lines(buf), want); d != "" {
		t.Error(d)
	}
}

// TestSpec79InsightfaceNoAutoReset is that run's auto_reset=False variant.
func TestSpec79InsightfaceNoAutoReset(t *testing.T) {
	clock := newFakeClock()
	log, buf := captureLogger()
	sp := NewSpeedometer(2, 3)
	sp.AutoReset = false
	sp.Now, sp.Logger = clock.Now, log
	err := Fit(context.Background(), newScripted(clock), spec79Iter(), Config{NumEpoch: 1, EvalMetric: insightfaceComposite(), BatchEnd: []BatchEndCallback{sp}, Logger: log, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Epoch[0] Batch [0-3]\tSpeed: 2.00 samples/sec\tacc=0.625000\tlossvalue=2.500000",
		"Epoch[0] Batch [0-6]\tSpeed: 2.00 samples/sec\tacc=0.571429\tlossvalue=4.000000",
		"Epoch[0] Train-acc=0.571429",
		"Epoch[0] Train-lossvalue=4.000000",
		"Epoch[0] Time cost=7.000",
	}
	if d := diffLines(lines(buf), want); d != "" {
		t.Error(d)
	}
}

// TestSpec79BuiltinAccuracy is a third hand-worked run: a metric with global
// statistics, log_train_metric(5) and a validation set.
func TestSpec79BuiltinAccuracy(t *testing.T) {
	clock := newFakeClock()
	log, buf := captureLogger()
	sp := NewSpeedometer(2, 3)
	sp.Now, sp.Logger = clock.Now, log
	lt := NewLogTrainMetric(5, false)
	lt.Logger = log
	acc := metric.NewAccuracy(1, metric.Options{OutputNames: []string{"softmax_output"}})
	val := correctIter(2, [][]int{{1, 0}, {1, 1}})
	err := Fit(context.Background(), newScripted(clock), spec79Iter(), Config{NumEpoch: 1, EvalMetric: acc, BatchEnd: []BatchEndCallback{sp, lt}, EvalData: val, Logger: log, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Iter[0] Batch[0] Train-accuracy=1.000000",
		"Epoch[0] Batch [0-3]\tSpeed: 2.00 samples/sec\taccuracy=0.625000",
		"Iter[0] Batch[5] Train-accuracy=0.750000",
		"Epoch[0] Batch [3-6]\tSpeed: 2.00 samples/sec\taccuracy=0.500000",
		"Epoch[0] Train-accuracy=0.571429",
		"Epoch[0] Time cost=7.000",
		"Epoch[0] Validation-accuracy=0.750000",
	}
	if d := diffLines(lines(buf), want); d != "" {
		t.Error(d)
	}
}

// TestPlainPrefix checks the default plain format, "INFO:root:<msg>".
func TestPlainPrefix(t *testing.T) {
	var b strings.Builder
	log := NewLogger(&b, LogPlain)
	clock := newFakeClock()
	err := Fit(context.Background(), newScripted(clock), spec79Iter(), Config{NumEpoch: 1, EvalMetric: insightfaceComposite(), Logger: log, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	want := "INFO:root:Epoch[0] Train-acc=0.571429\nINFO:root:Epoch[0] Train-lossvalue=4.000000\nINFO:root:Epoch[0] Time cost=7.000\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}

// TestJSONLogs checks JSON mode carries the values, with NaN as "nan".
func TestJSONLogs(t *testing.T) {
	var b strings.Builder
	log := NewLogger(&b, LogJSON)
	sp := NewSpeedometer(2, 1)
	sp.Logger = log
	clock := newFakeClock()
	sp.Now = clock.Now
	// Speedometer(2,1): the line at batch 1 has 0 elapsed seconds → inf.
	it := correctIter(2, [][]int{{1, 1}, {1, 0}})
	err := Fit(context.Background(), newScripted(nil), it, Config{NumEpoch: 1, EvalMetric: insightfaceComposite(), BatchEnd: []BatchEndCallback{sp}, Logger: log, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`"msg":"Epoch[0] Batch [0-1]\tSpeed: inf samples/sec\tacc=0.750000\tlossvalue=1.500000"`,
		`"speed":"Infinity"`, `"acc":0.75`, `"batch_begin":0`, `"batch_end":1`,
		`"msg":"Epoch[0] Train-acc=0.750000"`, `"metric":"acc","value":0.75`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON log lacks %s:\n%s", want, out)
		}
	}
}

// recMetric records the calls Fit makes on a metric.
type recMetric struct {
	metric.Metric
	rec *[]string
}

func (m recMetric) Reset()      { *m.rec = append(*m.rec, "metric.reset"); m.Metric.Reset() }
func (m recMetric) ResetLocal() { *m.rec = append(*m.rec, "metric.reset_local"); m.Metric.ResetLocal() }
func (m recMetric) UpdateDict(l, p metric.Named) error {
	*m.rec = append(*m.rec, "metric.update")
	return m.Metric.UpdateDict(l, p)
}
func (m recMetric) GetGlobal() ([]string, []float64) {
	*m.rec = append(*m.rec, "metric.get_global")
	return m.Metric.GetGlobal()
}

type recCB struct {
	name string
	rec  *[]string
}

func (c recCB) BatchEnd(p BatchEndParam) error {
	*c.rec = append(*c.rec, c.name+"("+itoa(p.Epoch)+","+itoa(p.NBatch)+")")
	return nil
}

func (c recCB) EpochEnd(p EpochEndParam) error {
	*c.rec = append(*c.rec, c.name+"("+itoa(p.Epoch)+")")
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestCallbackOrder checks MXNet 1.9.1's exact order (base_module.py fit and score).
func TestCallbackOrder(t *testing.T) {
	var rec []string
	mod := newScripted(nil)
	mod.rec = &rec
	train := correctIter(2, [][]int{{1, 1}, {1, 0}})
	train.rec = &rec
	val := correctIter(2, [][]int{{1, 1}})
	val.rec = &rec
	m := recMetric{metric.NewAccuracy(1, metric.Options{OutputNames: []string{"softmax_output"}}), &rec}
	log, _ := captureLogger()
	err := Fit(context.Background(), mod, train, Config{NumEpoch: 1, EvalMetric: m, EvalData: val, BatchEnd: []BatchEndCallback{recCB{"batch_end", &rec}}, EpochEnd: []EpochEndCallback{recCB{"epoch_end", &rec}}, EvalBatchEnd: []BatchEndCallback{recCB{"eval_batch_end", &rec}}, EvalEnd: []BatchEndCallback{recCB{"eval_end", &rec}}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"metric.reset", "next",
		"forward", "backward", "update", "metric.update", "next", "batch_end(0,0)",
		"forward", "backward", "update", "metric.update", "next", "metric.get_global", "batch_end(0,1)",
		"epoch_end(0)",
		// score: reset the eval data, reset the (shared) metric, one batch
		"reset", "metric.reset", "next", "forward", "metric.update", "eval_batch_end(0,0)", "next", "eval_end(0,1)",
		"reset", // train_data.reset() at the end of the epoch
	}
	if d := diffLines(rec, want); d != "" {
		t.Error(d)
	}
	if mod.lastTr {
		t.Error("validation forward ran in training mode")
	}
}

// TestEmptyIterator is quirk 23: an error, not StopIteration.
func TestEmptyIterator(t *testing.T) {
	err := Fit(context.Background(), newScripted(nil), &sliceIter{bs: 2}, Config{NumEpoch: 1, Logger: discard()})
	if err == nil || !strings.Contains(err.Error(), "epoch 0: the training iterator yielded no batches") {
		t.Fatalf("err = %v", err)
	}
}

func TestNumEpochRequired(t *testing.T) {
	err := Fit(context.Background(), newScripted(nil), spec79Iter(), Config{})
	if err == nil || !strings.Contains(err.Error(), "please specify number of epochs") {
		t.Fatalf("err = %v", err)
	}
}

// TestMismatchedShapes: a batch with a different shape is an error naming
// epoch, batch and shapes.
func TestMismatchedShapes(t *testing.T) {
	it := spec79Iter()
	bad := correctIter(3, [][]int{{1, 1, 1}})
	it.batches[2] = bad.batches[0]
	err := Fit(context.Background(), newScripted(nil), it, Config{NumEpoch: 1, EvalMetric: insightfaceComposite(), Logger: discard()})
	if err == nil || !strings.Contains(err.Error(), "fit: epoch 0 batch 2: data[0] has shape (3, 3); bound shape is (2, 3)") {
		t.Fatalf("err = %v", err)
	}
	// A first batch whose rows differ from the batch size.
	it = correctIter(2, [][]int{{1, 1, 1}})
	err = Fit(context.Background(), newScripted(nil), it, Config{NumEpoch: 1, Logger: discard()})
	if err == nil || !strings.Contains(err.Error(), "want 2 rows") {
		t.Fatalf("err = %v", err)
	}
	// A nil batch.
	it = spec79Iter()
	it.batches[1] = nil
	err = Fit(context.Background(), newScripted(nil), it, Config{NumEpoch: 1, EvalMetric: insightfaceComposite(), Logger: discard()})
	if err == nil || !strings.Contains(err.Error(), "epoch 0 batch 1: iterator returned a nil batch") {
		t.Fatalf("err = %v", err)
	}
}

// TestInitParams covers arg_params / allow_missing / unknown names.
func TestInitParams(t *testing.T) {
	mk := func(v ...float32) map[string]*nd.Array {
		return map[string]*nd.Array{"fc_weight": nd.Must(nd.FromFloat32(v, len(v)))}
	}
	// Epochs 1..0: parameters are initialised, nothing is trained.
	run := func(c Config) (*scriptedModule, error) {
		mod := newScripted(nil)
		c.BeginEpoch, c.NumEpoch, c.Logger = 1, 1, discard()
		return mod, Fit(context.Background(), mod, spec79Iter(), c)
	}
	if _, err := run(Config{ArgParams: mk(1, 2)}); err == nil || !strings.Contains(err.Error(), "arg parameter fc_bias is not presented") {
		t.Errorf("missing: err = %v", err)
	}
	mod, err := run(Config{ArgParams: mk(1, 2), AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := mod.arg["fc_weight"].Float32s(); got[0] != 1 || got[1] != 2 {
		t.Errorf("fc_weight = %v", got)
	}
	extra := mk(1, 2)
	extra["fc_bias"] = nd.Must(nd.FromFloat32([]float32{0, 0}, 2))
	extra["fc7_weight"] = nd.Must(nd.FromFloat32([]float32{0}, 1))
	if _, err := run(Config{ArgParams: extra}); err == nil || !strings.Contains(err.Error(), `["fc7_weight"] are not parameters of the module`) {
		t.Errorf("extra: err = %v", err)
	}
	if _, err := run(Config{ArgParams: extra, AllowExtra: true}); err != nil {
		t.Errorf("allow extra: %v", err)
	}
	if _, err := run(Config{ArgParams: mk(1, 2, 3), AllowMissing: true}); err == nil || !strings.Contains(err.Error(), "has shape (3,); the module's is (2,)") {
		t.Errorf("shape: err = %v", err)
	}
	// Nothing is written when validation fails.
	mod = newScripted(nil)
	mod.arg["fc_weight"].Float32s()[0] = 42
	_ = Fit(context.Background(), mod, spec79Iter(), Config{BeginEpoch: 1, NumEpoch: 1, Logger: discard(), ArgParams: mk(1, 2, 3), AllowMissing: true})
	if mod.arg["fc_weight"].Float32s()[0] != 42 {
		t.Error("a failed init wrote parameters")
	}
	// Default initializer: bias 0, gamma-less; weights uniform in ±0.01.
	mod, err = run(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range mod.arg["fc_weight"].Float32s() {
		if v < -0.01 || v > 0.01 || v == 0 {
			t.Errorf("weight %v not uniform(0.01)", v)
		}
	}
}

// TestNaNLoss stops with a message naming epoch and batch, before the
// update, keeping the last good checkpoint.
func TestNaNLoss(t *testing.T) {
	dir := t.TempDir()
	prefix := dir + "/model"
	mod := newScripted(nil)
	mod.nanAt = 7 + 3 + 1 // the 11th training forward: epoch 1 batch 3
	log, _ := captureLogger()
	err := Fit(context.Background(), mod, spec79Iter(), Config{NumEpoch: 3, EvalMetric: insightfaceComposite(), Logger: log, EpochEnd: []EpochEndCallback{&CheckpointCallback{Prefix: prefix, Logger: log}}})
	if !errors.Is(err, ErrNaNLoss) {
		t.Fatalf("err = %v, want ErrNaNLoss", err)
	}
	if !strings.Contains(err.Error(), "fit: epoch 1 batch 3: output 2 \"ce_loss_output\": loss is NaN") {
		t.Errorf("message: %v", err)
	}
	if mod.nUpd != 10 {
		t.Errorf("%d updates, want 10 (epoch 0 and batches 0-2 of epoch 1)", mod.nUpd)
	}
	if _, err := LoadCheckpoint(ParamsPath(prefix, 1)); err != nil {
		t.Errorf("last good checkpoint: %v", err)
	}
	if _, err := os.Stat(ParamsPath(prefix, 2)); !os.IsNotExist(err) {
		t.Errorf("checkpoint 2 exists: %v", err)
	}
}

func discard() *slog.Logger { l, _ := captureLogger(); return l }
