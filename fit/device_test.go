package fit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/metric/insightface"
)

func TestSplitInputSlice(t *testing.T) {
	for _, c := range []struct {
		bs, n int
		want  [][2]int
		err   bool
	}{
		{4, 2, [][2]int{{0, 2}, {2, 4}}, false},
		{10, 4, [][2]int{{0, 2}, {2, 4}, {4, 6}, {6, 10}}, false}, // round(2.5) = 2, the last takes the rest
		{3, 2, [][2]int{{0, 2}, {2, 3}}, false},                   // round(1.5) = 2
		{7, 2, [][2]int{{0, 4}, {4, 7}}, false},                   // round(3.5) = 4
		{6, 4, nil, true},                                         // [2,2,2,0]: empty slice
		{1, 2, nil, true},
	} {
		t.Run(fmt.Sprint(c.bs, c.n), func(t *testing.T) {
			got, err := splitInputSlice(c.bs, c.n)
			if (err != nil) != c.err || !slices.Equal(got, c.want) {
				t.Errorf("split(%d, %d) = %v, %v; want %v", c.bs, c.n, got, err, c.want)
			}
		})
	}
}

// TestDeviceKVStore: two replicas on half batches with summed gradients
// reach the local run's parameters; AccMetric pools the slices, while
// LossValueMetric counts one update per device (MXNet's exec_group.update_metric).
func TestDeviceKVStore(t *testing.T) {
	run := func(kvstore string, devices int) (*scriptedModule, metric.Metric, []string) {
		log, buf := captureLogger()
		mod := newScripted(nil)
		opt := NewSGD(0.05)
		opt.Momentum = 0.9
		acc, loss := insightface.NewAccMetric(), insightface.NewLossValueMetric()
		m := metric.NewComposite(metric.Options{}, acc, loss)
		it := correctIter(4, [][]int{{1, 1, 0, 1}, {0, 0, 1, 1}, {1, 1, 1, 1}})
		val := correctIter(4, [][]int{{1, 0, 0, 1}})
		err := Fit(context.Background(), mod, it, Config{NumEpoch: 2, EvalMetric: m,
			Optimizer: opt, Initializer: NewUniform(0.1, 3), EvalData: val,
			ValidationMetric: mustMetric(metric.Config{Metric: "acc", OutputNames: []string{"softmax_output"}}), Logger: log,
			KVStore: kvstore, Devices: devices})
		if err != nil {
			t.Fatal(err)
		}
		return mod, m, lines(buf)
	}
	local, _, localLines := run("", 0)
	dev, m, devLines := run("device", 2)
	for name, w := range local.arg {
		if !slices.Equal(w.Float32s(), dev.arg[name].Float32s()) {
			t.Errorf("%s: device %v, local %v", name, dev.arg[name].Float32s(), w.Float32s())
		}
	}
	// acc lines agree; the validation accuracy too.
	for i, l := range localLines {
		if strings.Contains(l, "acc=") || strings.Contains(l, "Validation") {
			if devLines[i] != l {
				t.Errorf("line %d: device %q, local %q", i, devLines[i], l)
			}
		}
	}
	// LossValueMetric: 3 batches × 2 devices updates in the last epoch.
	st, err := m.State()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(st.Children[1].Local); !strings.Contains(got, `"num":6`) {
		t.Errorf("lossvalue local state %s, want 6 updates", got)
	}
}

func TestDeviceNeedsReplicator(t *testing.T) {
	mod := newScripted(nil)
	err := Fit(context.Background(), struct{ Module }{mod}, spec79Iter(), Config{NumEpoch: 1, KVStore: "device", Devices: 2, Logger: discard()})
	if err == nil || !strings.Contains(err.Error(), "needs a module implementing fit.Replicator") {
		t.Fatalf("err = %v", err)
	}
	err = Fit(context.Background(), mod, spec79Iter(), Config{NumEpoch: 1, KVStore: "dist_sync", Logger: discard()})
	if err == nil || !strings.Contains(err.Error(), `unknown kvstore "dist_sync"`) {
		t.Fatalf("err = %v", err)
	}
}

// TestDeviceNaN: a NaN on one replica names the device.
func TestDeviceNaN(t *testing.T) {
	mod := newScripted(nil)
	mod.nanAt = 2
	err := Fit(context.Background(), mod, spec79Iter(), Config{NumEpoch: 1, KVStore: "device", Devices: 2, EvalMetric: insightfaceComposite(), Logger: discard()})
	if err == nil || !strings.Contains(err.Error(), "fit: epoch 0 batch 1: output 2 \"ce_loss_output\" on device 0: loss is NaN") {
		t.Fatalf("err = %v", err)
	}
}
