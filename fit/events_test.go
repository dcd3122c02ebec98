package fit

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/metric"
)

// eventLog records every event.
type eventLog []events.Event

func (l *eventLog) Emit(e events.Event) error { *l = append(*l, e); return nil }

// The hand-worked insightface run (spec79Iter) as events: one BatchEnd per batch, the
// Speedometer windows with the values of the text lines, the epoch end.
// The Speedometer has no logger or clock of its own: the run's reach it.
func TestFitEvents(t *testing.T) {
	clock := newFakeClock()
	log, buf := captureLogger()
	var got eventLog
	err := Fit(context.Background(), newScripted(clock), spec79Iter(), Config{NumEpoch: 1, EvalMetric: insightfaceComposite(), BatchEnd: []BatchEndCallback{NewSpeedometer(2, 3)}, Logger: log, Now: clock.Now, Events: []events.Sink{&got}})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range got {
		kinds = append(kinds, e.Kind())
	}
	wantKinds := strings.Fields("learning_rate batch_end batch_end batch_end batch_end speed batch_end batch_end batch_end speed epoch_end")
	if d := cmp.Diff(wantKinds, kinds); d != "" {
		t.Fatalf("kinds (-want +got):\n%s", d)
	}
	nv := func(acc, loss float64) []metric.NameValue {
		return []metric.NameValue{{Name: "acc", Value: acc}, {Name: "lossvalue", Value: loss}}
	}
	sp1, sp2 := got[5].(events.Speed), got[9].(events.Speed)
	if sp1.BatchBegin != 0 || sp1.Batch != 3 || sp1.Step != 4 || sp1.Speed != 2 || !cmp.Equal(sp1.Values, nv(0.625, 2.5)) {
		t.Errorf("first window %+v", sp1)
	}
	if sp2.BatchBegin != 3 || sp2.Batch != 6 || sp2.Step != 7 || !cmp.Equal(sp2.Values, nv(0.5, 6)) {
		t.Errorf("second window %+v", sp2)
	}
	ee := got[10].(events.EpochEnd)
	if ee.Epoch != 0 || ee.Batch != 7 || ee.Step != 7 || ee.TimeCost != 7 || !cmp.Equal(ee.Train, nv(0.5, 6)) {
		t.Errorf("epoch end %+v", ee)
	}
	b0 := got[1].(events.BatchEnd)
	if b0.Samples != 2 || b0.Step != 1 || b0.Batch != 0 || !cmp.Equal(b0.Values, nv(1, b0.Values[1].Value)) {
		t.Errorf("first batch %+v", b0)
	}
	if lr := got[0].(events.LearningRate); lr.Rate != 0.01 || lr.Step != 0 {
		t.Errorf("starting learning rate %+v", lr)
	}
	// The text log is the LogSink rendering of the same events.
	replay, rbuf := captureLogger()
	for _, e := range got {
		if err := (LogSink{Logger: replay}).Emit(e); err != nil {
			t.Fatal(err)
		}
	}
	if d := diffLines(lines(rbuf), lines(buf)); d != "" {
		t.Errorf("LogSink replay differs from the run's log:\n%s", d)
	}
	if !strings.Contains(rbuf.String(), "Epoch[0] Batch [0-3]\tSpeed: 2.00 samples/sec\tacc=0.625000\tlossvalue=2.500000") {
		t.Errorf("log:\n%s", rbuf)
	}
}

// A sink's error stops the run, naming where.
func TestFitEventSinkError(t *testing.T) {
	bad := events.Func(func(e events.Event) error {
		if e.Kind() == "batch_end" {
			return errors.New("disk full")
		}
		return nil
	})
	err := Fit(context.Background(), newScripted(newFakeClock()), spec79Iter(), Config{NumEpoch: 1, EvalMetric: insightfaceComposite(), Logger: discard(), Events: []events.Sink{bad}})
	if err == nil || !strings.Contains(err.Error(), "epoch 0 batch 0: event sink: disk full") {
		t.Errorf("error %v", err)
	}
}

// stateless is a metric whose State fails.
type stateless struct{ metric.Metric }

func (stateless) State() (metric.State, error) { return metric.State{}, errors.New("no state here") }

// Issue 8: an interrupted run whose metric cannot export its statistics
// used to write a checkpoint without them, so the resumed epoch's Train
// values differed from an uninterrupted run's. The error now comes back.
func TestResumeMetricStateError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	path := filepath.Join(t.TempDir(), "resume.npz")
	m := stateless{metric.NewAccuracy(1, metric.Options{OutputNames: []string{"softmax_output"}})}
	err := Fit(ctx, newScripted(newFakeClock()), spec79Iter(), Config{NumEpoch: 1, EvalMetric: m, Logger: discard(), BatchEnd: []BatchEndCallback{cancelAt{0, 2, cancel}}, ResumeCheckpoint: path, ResumeEvery: 0})
	if err == nil || !strings.Contains(err.Error(), "the training metric's state: no state here") {
		t.Fatalf("error %v", err)
	}
	var ie *InterruptedError
	if errors.As(err, &ie) {
		t.Errorf("got a resumable InterruptedError %v", ie)
	}
}

func ExampleLogSink() {
	log, buf := captureLogger()
	sink := LogSink{Logger: log}
	_ = sink.Emit(events.Speed{Position: events.Position{Epoch: 0, Batch: 40}, BatchBegin: 20, Speed: 1234.5,
		Values: []metric.NameValue{{Name: "acc", Value: 0.5}}})
	_ = sink.Emit(events.EpochEnd{Position: events.Position{Epoch: 0}, Train: []metric.NameValue{{Name: "acc", Value: 0.5}}, TimeCost: 12.3456})
	fmt.Print(buf)
	// Output:
	// Epoch[0] Batch [20-40]	Speed: 1234.50 samples/sec	acc=0.500000
	// Epoch[0] Train-acc=0.500000
	// Epoch[0] Time cost=12.346
}
