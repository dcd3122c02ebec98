package model

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/metric/insightface"
	"github.com/evalkit/evalkit/nd"
)

// syntheticImages returns n 4×4 images of 3 classes whose pixel means
// differ by class, so a network can learn them.
func syntheticImages(n int, seed uint64) ([]uint8, []int32) {
	r := rand.New(rand.NewPCG(seed, 9))
	px := make([]uint8, n*16)
	lab := make([]int32, n)
	for i := range lab {
		c := int32(i % 3)
		lab[i] = c
		for j := 0; j < 16; j++ {
			v := 60*int(c) + r.IntN(120)
			if j%4 == int(c) {
				v += 60
			}
			px[i*16+j] = uint8(min(v, 255))
		}
	}
	return px, lab
}

func tinyConfig() Config {
	return Config{InputDim: 16, Hidden: []int{12}, EmbeddingDim: 8, NumClasses: 3,
		Head: HeadConfig{Kind: ArcFace, Scale: 8, Margin: 0.3}, BatchSize: 10, Workers: 2}
}

func TestModuleContract(t *testing.T) {
	net, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	mod := NewModule(net)
	arg, aux := mod.Params()
	want := []string{"fc1_bias", "fc1_weight", "fc7_weight", "hidden0_bias", "hidden0_weight"}
	if got := mod.ParamNames(); !slices.Equal(got, want) || len(arg) != 5 || len(aux) != 0 {
		t.Fatalf("params %v (%d arg, %d aux), want %v", got, len(arg), len(aux), want)
	}
	if s := arg["fc7_weight"].Shape(); !slices.Equal(s, []int{3, 8}) {
		t.Errorf("fc7_weight shape %v, want (3, 8)", s)
	}
	if err := mod.InitParams(fit.NewXavier("gaussian", "out", 2, 1)); err != nil {
		t.Fatal(err)
	}
	if err := mod.Update(); err == nil {
		t.Error("Update before InitOptimizer: no error")
	}
	px, lab := syntheticImages(10, 1)
	it, _ := NewImageIter(px, lab, 4, 4, ImageIterOptions{BatchSize: 10})
	b, _ := it.Next()
	if err := mod.Forward(b, true); err != nil {
		t.Fatal(err)
	}
	outs := mod.Outputs()
	if len(outs) != 3 || !slices.Equal(outs[0].Shape(), []int{10, 8}) || !slices.Equal(outs[1].Shape(), []int{10, 3}) || !slices.Equal(outs[2].Shape(), []int{1}) {
		t.Fatalf("outputs %v", outs)
	}
	if got := mod.OutputNames(); !slices.Equal(got, []string{"fc1_output", "softmax_output", "ce_loss_output"}) {
		t.Errorf("output names %v", got)
	}
	// The seed's metrics read these outputs unchanged.
	acc, loss := insightface.NewAccMetric(), insightface.NewLossValueMetric()
	if err := acc.Update(b.Label, outs); err != nil {
		t.Fatal(err)
	}
	if err := loss.Update(b.Label, outs); err != nil {
		t.Fatal(err)
	}
	if _, v := loss.Get(); v[0] != float64(outs[2].Float32s()[0]) {
		t.Errorf("lossvalue %v, want the loss output %v", v[0], outs[2].Float32s()[0])
	}
	// Replicas start equal and own their buffers.
	rep, err := mod.Replicate()
	if err != nil {
		t.Fatal(err)
	}
	rarg, _ := rep.Params()
	for name, a := range arg {
		if !slices.Equal(a.Float32s(), rarg[name].Float32s()) {
			t.Errorf("replica %s differs", name)
		}
	}
	if &rarg["fc1_weight"].Float32s()[0] == &arg["fc1_weight"].Float32s()[0] {
		t.Error("replica shares parameter storage")
	}
	emb, err := mod.Embed(b.Data[0])
	if err != nil || !slices.Equal(emb.Float32s(), mod.Outputs()[0].Float32s()) {
		t.Errorf("Embed differs from the forward's embedding output: %v", err)
	}
}

func TestModuleForwardErrors(t *testing.T) {
	net, _ := New(tinyConfig())
	defer net.Close()
	mod := NewModule(net)
	f64 := nd.Must(nd.FromFloat64(make([]float64, 32), 2, 16))
	wide := nd.Must(nd.FromFloat32(make([]float32, 34), 2, 17))
	big := nd.Must(nd.FromFloat32(make([]float32, 16*11), 11, 16))
	ok := nd.Must(nd.FromFloat32(make([]float32, 32), 2, 16))
	for _, c := range []struct {
		name string
		b    *fit.DataBatch
		want string
	}{
		{"nil", nil, "needs a batch"},
		{"no data", &fit.DataBatch{}, "needs a batch"},
		{"float64", &fit.DataBatch{Data: []*nd.Array{f64}}, "must be float32"},
		{"width", &fit.DataBatch{Data: []*nd.Array{wide}}, "(batch, 16)"},
		{"rows", &fit.DataBatch{Data: []*nd.Array{big}}, "exceeds the network's batch_size 10"},
		{"labels", &fit.DataBatch{Data: []*nd.Array{ok}, Label: []*nd.Array{nd.Must(nd.FromFloat32([]float32{1, 2, 0}))}}, "does not have the data's 2 rows"},
		{"label range", &fit.DataBatch{Data: []*nd.Array{ok}, Label: []*nd.Array{nd.Must(nd.FromFloat32([]float32{1, 3}))}}, "label 1 is 3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := mod.Forward(c.b, true)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			}
		})
	}
}

// runFit trains a fresh tiny network for epochs, optionally cancelling
// after stopAt batches (saving a resumable checkpoint), or resuming from
// ckPath. It returns the parameters and the training metric's state.
func runFit(t *testing.T, epochs, stopAt int, ckPath string, resume bool) (map[string][]float32, metric.State, error) {
	t.Helper()
	cfg := tinyConfig()
	var ck *fit.Checkpoint
	if resume {
		var err error
		if ck, err = fit.LoadCheckpoint(ckPath); err != nil {
			t.Fatal(err)
		}
		if cfg, err = ConfigFromCheckpoint(ck); err != nil {
			t.Fatal(err)
		}
		cfg.Workers = 3 // a different worker count must not change results
	}
	net, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	mod := NewModule(net)
	px, lab := syntheticImages(95, 4)
	it, _ := NewImageIter(px, lab, 4, 4, ImageIterOptions{BatchSize: 10, Shuffle: true, Seed: 3, RandMirror: true})
	sgd := fit.NewSGD(0.1)
	sgd.Momentum, sgd.WD = 0.9, 5e-4
	m := metric.NewComposite(metric.Options{}, insightface.NewAccMetric(), insightface.NewLossValueMetric())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	steps := 0
	stopper := fit.BatchEndFunc(func(fit.BatchEndParam) error {
		steps++
		if steps == stopAt {
			cancel()
		}
		return nil
	})
	fc := fit.Config{NumEpoch: epochs, EvalMetric: m, Optimizer: sgd,
		Logger: fit.NewLogger(io.Discard, fit.LogPlain), States: []fit.Stateful{&ConfigState{Config: cfg}},
		BatchEnd: []fit.BatchEndCallback{stopper}, ResumeCheckpoint: ckPath}
	if resume {
		if err := net.CheckParams(ck); err != nil {
			t.Fatal(err)
		}
		if err := ck.RestoreOptimizer(sgd); err != nil {
			t.Fatal(err)
		}
		it.SetEpoch(ck.State.Epoch)
		fc.ArgParams, fc.AuxParams, fc.Resume = ck.Arg, ck.Aux, ck.State
	} else {
		fc.Initializer = fit.NewXavier("gaussian", "out", 2, 7)
	}
	err = fit.Fit(ctx, mod, it, fc)
	params := map[string][]float32{}
	arg, _ := mod.Params()
	for k, v := range arg {
		params[k] = append([]float32(nil), v.Float32s()...)
	}
	st, serr := m.State()
	if serr != nil {
		t.Fatal(serr)
	}
	return params, st, err
}

// An interrupted and resumed run ends bit for bit where an uninterrupted
// one does: parameters, optimizer state, data order, mirroring and the
// metric's statistics.
func TestResumeBitExact(t *testing.T) {
	dir := t.TempDir()
	want, wantMetric, err := runFit(t, 3, -1, filepath.Join(dir, "a.npz"), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, stopAt := range []int{4, 9, 13, 22} { // mid-epoch 0, end of epoch 0 (9 batches), mid-epochs 1 and 2
		p := filepath.Join(dir, "b.npz")
		_, _, err := runFit(t, 3, stopAt, p, false)
		var ie *fit.InterruptedError
		if !errors.As(err, &ie) {
			t.Fatalf("stop at %d: %v, want an interruption", stopAt, err)
		}
		got, gotMetric, err := runFit(t, 3, -1, p, true)
		if err != nil {
			t.Fatalf("resume after %d: %v", stopAt, err)
		}
		for name, w := range want {
			if !slices.Equal(got[name], w) {
				t.Errorf("stop at %d: %s differs after resuming", stopAt, name)
			}
		}
		if string(gotMetric.Children[0].Local) != string(wantMetric.Children[0].Local) ||
			string(gotMetric.Children[1].Local) != string(wantMetric.Children[1].Local) {
			t.Errorf("stop at %d: metric state %s %s, want %s %s", stopAt, gotMetric.Children[0].Local, gotMetric.Children[1].Local,
				wantMetric.Children[0].Local, wantMetric.Children[1].Local)
		}
	}
}
