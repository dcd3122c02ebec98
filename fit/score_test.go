package fit

import (
	"context"
	"errors"
	"testing"

	"github.com/evalkit/evalkit/metric"
)

func accSoftmax() metric.Metric {
	return metric.NewAccuracy(1, metric.Options{OutputNames: []string{"softmax_output"}})
}

func TestScore(t *testing.T) {
	it := correctIter(2, [][]int{{1, 1}, {0, 0}, {1, 0}})
	mod := newScripted(nil)
	var ends []int
	end := BatchEndFunc(func(p BatchEndParam) error { ends = append(ends, p.NBatch); return nil })
	res, err := Score(context.Background(), mod, it, ScoreConfig{Metric: accSoftmax(), ScoreEnd: []BatchEndCallback{end}, Epoch: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Name != "accuracy" || res[0].Value != 0.5 {
		t.Errorf("score = %v", res)
	}
	if len(ends) != 1 || ends[0] != 3 {
		t.Errorf("score-end NBatch %v, want [3]", ends)
	}
	// num_batch, and reset at the start (the iterator is at its end now).
	res, err = Score(context.Background(), mod, it, ScoreConfig{Metric: accSoftmax(), NumBatch: 1})
	if err != nil || res[0].Value != 1 {
		t.Errorf("num_batch 1: %v, %v", res, err)
	}
	// Without reset the iterator continues after the first batch.
	res, err = Score(context.Background(), mod, it, ScoreConfig{Metric: accSoftmax(), NoReset: true})
	if err != nil || res[0].Value != 0.25 {
		t.Errorf("no reset: %v, %v", res, err)
	}
	// Score returns local values: an auto-reset callback truncates them
	// (quirk 22).
	sp := NewSpeedometer(2, 2)
	sp.Logger = discard()
	it4 := correctIter(2, [][]int{{1, 1}, {0, 0}, {1, 0}, {1, 1}})
	res, err = Score(context.Background(), mod, it4, ScoreConfig{Metric: accSoftmax(), BatchEnd: []BatchEndCallback{sp}})
	if err != nil || res[0].Value != 1 { // batch 3 only; the full pass is 5/8
		t.Errorf("truncated: %v, %v", res, err)
	}
	// A device split gives the same accuracy.
	res, err = Score(context.Background(), mod, it, ScoreConfig{Metric: accSoftmax(), KVStore: "device", Devices: 2})
	if err != nil || res[0].Value != 0.5 {
		t.Errorf("device: %v, %v", res, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Score(ctx, mod, it, ScoreConfig{Metric: accSoftmax()}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestPadding: padded rows are counted by default (MXNet), skipped on
// request.
func TestPadding(t *testing.T) {
	it := correctIter(2, [][]int{{1, 1}, {1, 0}})
	it.batches[1].Pad = 1 // the wrong row is padding
	mod := newScripted(nil)
	res, err := Score(context.Background(), mod, it, ScoreConfig{Metric: accSoftmax()})
	if err != nil || res[0].Value != 0.75 {
		t.Errorf("default: %v, %v", res, err)
	}
	res, err = Score(context.Background(), mod, it, ScoreConfig{Metric: accSoftmax(), SkipPadding: true})
	if err != nil || res[0].Value != 1 {
		t.Errorf("skip: %v, %v", res, err)
	}
	res, err = Score(context.Background(), mod, it, ScoreConfig{Metric: accSoftmax(), SkipPadding: true, KVStore: "device", Devices: 2})
	if err != nil || res[0].Value != 1 {
		t.Errorf("skip on devices: %v, %v", res, err)
	}
}
