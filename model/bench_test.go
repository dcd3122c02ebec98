package model

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/nd"
)

// fashionConfig is the demo's network: 784-256-128 with an ArcFace head.
func fashionConfig(batch, workers int) Config {
	return Config{InputDim: 784, Hidden: []int{256}, EmbeddingDim: 128, NumClasses: 10,
		Head: HeadConfig{Kind: ArcFace, Scale: 16, Margin: 0.3}, BatchSize: batch, Workers: workers}
}

// trainSetup returns a module ready for training steps on a random batch.
func trainSetup(tb testing.TB, cfg Config) (*Module, *fit.DataBatch) {
	tb.Helper()
	net, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(net.Close)
	mod := NewModule(net)
	if err := mod.InitParams(fit.NewXavier("gaussian", "out", 2, 1)); err != nil {
		tb.Fatal(err)
	}
	sgd := fit.NewSGD(0.01)
	sgd.Momentum, sgd.WD = 0.9, 5e-4
	if err := mod.InitOptimizer(sgd); err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	b := cfg.BatchSize
	x := make([]float32, b*cfg.InputDim)
	for i := range x {
		x[i] = float32(r.IntN(256))
	}
	lab := make([]float32, b)
	for i := range lab {
		lab[i] = float32(r.IntN(cfg.NumClasses))
	}
	return mod, &fit.DataBatch{
		Data:  []*nd.Array{nd.Must(nd.FromFloat32(x, b, cfg.InputDim))},
		Label: []*nd.Array{nd.Must(nd.FromFloat32(lab, b))},
	}
}

func step(tb testing.TB, mod *Module, b *fit.DataBatch) {
	if err := mod.Forward(b, true); err != nil {
		tb.Fatal(err)
	}
	if err := mod.Backward(); err != nil {
		tb.Fatal(err)
	}
	if err := mod.Update(); err != nil {
		tb.Fatal(err)
	}
	_ = mod.Outputs()
}

// BenchmarkTrainStep measures training throughput (forward, backward, SGD
// update) of the demo's network in samples/s, with one worker and with
// GOMAXPROCS workers.
func BenchmarkTrainStep(b *testing.B) {
	for _, batch := range []int{64, 128} {
		for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run(fmt.Sprintf("batch=%d/workers=%d", batch, w), func(b *testing.B) {
				mod, batchData := trainSetup(b, fashionConfig(batch, w))
				step(b, mod, batchData) // allocate the momentum buffers
				b.ReportAllocs()
				b.SetBytes(int64(batch * 784 * 4))
				for b.Loop() {
					step(b, mod, batchData)
				}
				sps := float64(batch) * float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(sps, "samples/s")
				b.ReportMetric(sps*flopsPerSample(fashionConfig(batch, w))/1e9, "GFLOP/s")
			})
		}
	}
}

// flopsPerSample counts the multiply-adds (×2) of one training sample:
// every dense layer's forward and weight gradient, and the input gradient of
// every layer but the first.
func flopsPerSample(c Config) float64 {
	widths := append(append([]int{c.InputDim}, c.Hidden...), c.EmbeddingDim, c.NumClasses)
	f := 0.0
	for i := 1; i < len(widths); i++ {
		mac := float64(widths[i-1] * widths[i])
		f += 2 * mac * 2 // forward, weight gradient
		if i > 1 {
			f += 2 * mac // input gradient
		}
	}
	return f
}

// BenchmarkTrainStepGEMMReference runs the same matrix products as a
// training step of the batch-128 network with gonum's pure-Go blas32 Sgemm,
// the reference the model's kernels are compared with (report the ratio of
// samples/s measured in the same run).
func BenchmarkTrainStepGEMMReference(b *testing.B) {
	const batch = 128
	c := fashionConfig(batch, runtime.GOMAXPROCS(0))
	widths := append(append([]int{c.InputDim}, c.Hidden...), c.EmbeddingDim, c.NumClasses)
	act := make([][]float32, len(widths))
	grad := make([][]float32, len(widths))
	w := make([][]float32, len(widths))
	dw := make([][]float32, len(widths))
	for i, n := range widths {
		act[i], grad[i] = make([]float32, batch*n), make([]float32, batch*n)
		if i > 0 {
			w[i], dw[i] = make([]float32, n*widths[i-1]), make([]float32, n*widths[i-1])
		}
	}
	for i := range act[0] {
		act[0][i] = float32(i%255) / 255
	}
	impl := blas32.Implementation()
	b.ReportAllocs()
	for b.Loop() {
		for i := 1; i < len(widths); i++ { // y = x·wᵀ
			impl.Sgemm(blas.NoTrans, blas.Trans, batch, widths[i], widths[i-1], 1, act[i-1], widths[i-1], w[i], widths[i-1], 0, act[i], widths[i])
		}
		for i := len(widths) - 1; i >= 1; i-- {
			// dw = dyᵀ·x; dx = dy·w
			impl.Sgemm(blas.Trans, blas.NoTrans, widths[i], widths[i-1], batch, 1, grad[i], widths[i], act[i-1], widths[i-1], 0, dw[i], widths[i-1])
			if i > 1 {
				impl.Sgemm(blas.NoTrans, blas.NoTrans, batch, widths[i-1], widths[i], 1, grad[i], widths[i], w[i], widths[i-1], 0, grad[i-1], widths[i-1])
			}
		}
	}
	sps := float64(batch) * float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(sps, "samples/s")
	b.ReportMetric(sps*flopsPerSample(c)/1e9, "GFLOP/s")
}

// BenchmarkEmbed measures inference throughput (embeddings only).
func BenchmarkEmbed(b *testing.B) {
	mod, batchData := trainSetup(b, fashionConfig(128, runtime.GOMAXPROCS(0)))
	dst := make([]float32, 128*128)
	b.ReportAllocs()
	for b.Loop() {
		if err := mod.Network().Embed(dst, batchData.Data[0].Float32s()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(128*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

// A training step allocates nothing once the buffers exist.
func TestTrainStepAllocs(t *testing.T) {
	cfg := fashionConfig(32, 2)
	cfg.Hidden, cfg.InputDim = []int{32}, 64
	mod, b := trainSetup(t, cfg)
	step(t, mod, b)
	if n := testing.AllocsPerRun(10, func() { step(t, mod, b) }); n != 0 {
		t.Errorf("a training step allocates %v times, want 0", n)
	}
}
