package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/events/tensorboard"
	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/internal/atomicfile"
	"github.com/evalkit/evalkit/internal/pyfmt"
	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/metric/insightface"
	"github.com/evalkit/evalkit/model"
	"github.com/evalkit/evalkit/report"
)

// File names written into Config.Out.
const (
	CheckpointFile = "checkpoint.npz"
	MetricsFile    = "metrics.jsonl"
	CurvesFile     = "curves.png"
	// VerifyTarget is the name of the held-out verification pairs in the
	// log ([fashion][step]…) and the events.
	VerifyTarget = "fashion"
)

// Result is what a finished run ends with.
type Result struct {
	ValAcc     float64 // last Validation-acc
	VerifyAcc  float64 // final verification Accuracy-Flip
	VerifyStd  float64
	AUC        float64
	Checkpoint string
	MetricsLog string
	Curves     string
	ONNX       string // the exported ONNX model, when Config.ExportONNX was set
	PairsBin   string // with ONNX: the verification pairs as an insightface .bin
	Elapsed    time.Duration
}

// Run trains evalkit's reference network on Fashion-MNIST the way
// insightface's train_softmax.py drives MXNet's Module.fit (see the train
// command's help), writes the checkpoint, the event log and the curves into
// c.Out, and returns the final figures. Cancelling ctx stops after the
// current batch and leaves a resumable checkpoint; the error then says how
// to continue.
func Run(ctx context.Context, c Config) (res *Result, err error) {
	now := c.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	out := c.Output
	if out == nil {
		out = io.Discard
	}
	say := func(s string) { fmt.Fprintln(out, "evalkit: "+s) }
	c.Margin = strings.ToLower(c.Margin)
	if err := c.validate(); err != nil {
		return nil, err
	}
	train, test, source, err := loadData(c.Data)
	if err != nil {
		return nil, err
	}
	var ck *fit.Checkpoint
	var saved model.Config
	if c.Resume != "" {
		if ck, err = fit.LoadCheckpoint(c.Resume); err != nil {
			return nil, err
		}
		if ck.State == nil {
			return nil, fmt.Errorf("--resume %s: the checkpoint holds no training state (write one with train or demo)", c.Resume)
		}
		if saved, err = model.ConfigFromCheckpoint(ck); err != nil {
			return nil, fmt.Errorf("--resume %s: %w", c.Resume, err)
		}
		if err := applyResume(&c, ck, saved, say); err != nil {
			return nil, fmt.Errorf("--resume %s: %w", c.Resume, err)
		}
	}

	net, cfg, err := buildNetwork(&c, train, test, ck, saved, say)
	if err != nil {
		return nil, err
	}
	defer net.Close()
	mod := model.NewModule(net)

	trainIt, err := model.NewImageIter(train.Pixels, train.Labels, train.Rows, train.Cols,
		model.ImageIterOptions{BatchSize: c.BatchSize, Shuffle: true, Seed: c.Seed, RandMirror: c.Mirror})
	if err != nil {
		return nil, fmt.Errorf("training data: %w", err)
	}
	valIt, err := model.NewImageIter(test.Pixels, test.Labels, test.Rows, test.Cols,
		model.ImageIterOptions{BatchSize: valBatch, Pad: true})
	if err != nil {
		return nil, fmt.Errorf("validation data: %w", err)
	}
	nPairs := c.Pairs
	if nPairs == 0 {
		nPairs = 6000
		if c.Data == "" {
			nPairs = 1000
		}
	}
	pairs, err := dataset.BuildPairs(test, nPairs, c.Seed)
	if err != nil {
		return nil, fmt.Errorf("verification pairs: %w", err)
	}
	ver, err := newVerifier(pairs, c.BatchSize)
	if err != nil {
		return nil, err
	}

	sgd := fit.NewSGD(c.LR)
	sgd.Momentum, sgd.WD = c.Momentum, c.WD
	nb := trainIt.NumBatches()
	lrSteps := c.LRSteps
	if len(lrSteps) == 0 {
		total := nb * c.Epochs
		lrSteps = []int{int(0.6 * float64(total)), int(0.85 * float64(total))}
	}

	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return nil, fmt.Errorf("creating --out: %w", err)
	}
	ckPath := filepath.Join(c.Out, CheckpointFile)
	for _, p := range []string{ckPath, filepath.Join(c.Out, CurvesFile)} {
		removed, err := atomicfile.RemoveStale(p)
		if err != nil {
			return nil, err
		}
		for _, r := range removed {
			say("removed " + r + ", a temporary file left by an interrupted run")
		}
	}
	tbOpts := tensorboard.Options{TotalSteps: nb * c.Epochs}
	if ck != nil {
		tbOpts.StartStep = ck.State.Step
	}
	sinks, closeSinks, err := openSinks(&c, filepath.Join(c.Out, MetricsFile), tbOpts, now, say)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := closeSinks(); cerr != nil && err == nil {
			res, err = nil, cerr
		}
	}()
	hist := &report.History{}
	stream := events.Multi{sinks, hist}

	termFormat := fit.LogPlain
	if c.JSONLog {
		termFormat = fit.LogJSON
	}
	logger := fit.NewLogger(out, termFormat)

	cb := fit.NewInsightfaceCallback(c.BatchSize, c.Frequent, filepath.Join(c.Out, "model"), []fit.VerifyTarget{{Name: VerifyTarget, Verifier: ver}})
	cb.Verbose, cb.Ckpt, cb.LRSteps = c.VerifyEvery, 0, lrSteps
	every := c.CheckpointEvery
	if every == 0 {
		every = nb // at every epoch end of an uninterrupted run
	}
	run := &settingsState{s: settings{Epochs: c.Epochs, BatchSize: c.BatchSize, LRSteps: lrSteps, Seed: c.Seed,
		RandMirror: c.Mirror, Frequent: c.Frequent, VerifyEvery: c.VerifyEvery, Pairs: nPairs, Momentum: &c.Momentum, WD: &c.WD}}
	final := &finalVerification{ver: ver, issame: pairs.Issame}

	trainMetric := metric.NewComposite(metric.Options{}, insightface.NewAccMetric(), insightface.NewLossValueMetric())
	valMetric := metric.NewComposite(metric.Options{}, insightface.NewAccMetric(), insightface.NewLossValueMetric())
	fc := fit.Config{
		NumEpoch: c.Epochs, EvalData: valIt, EvalMetric: trainMetric, ValidationMetric: valMetric,
		Optimizer: sgd, Logger: logger, Now: now, Events: []events.Sink{stream},
		BatchEnd: []fit.BatchEndCallback{cb}, TrainEnd: []fit.BatchEndCallback{final},
		States: []fit.Stateful{&model.ConfigState{Config: cfg}, run, hist}, ResumeCheckpoint: ckPath, ResumeEvery: every,
	}
	if ck != nil {
		if err := ck.RestoreOptimizer(sgd); err != nil {
			return nil, fmt.Errorf("--resume %s: %w", c.Resume, err)
		}
		trainIt.SetEpoch(ck.State.Epoch)
		fc.ArgParams, fc.AuxParams, fc.Resume = ck.Arg, ck.Aux, ck.State
	} else {
		fc.Initializer = fit.NewXavier("gaussian", "out", 2, c.Seed)
	}
	if err := stream.Emit(Start{Time: now(), Data: source, TrainImages: train.Len(), TestImages: test.Len(), Pairs: nPairs,
		Epochs: c.Epochs, BatchesPerEpoch: nb, BatchSize: c.BatchSize, LR: c.LR, LRSteps: lrSteps, Resume: c.Resume}); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "evalkit: training on %s (%d training, %d held-out images, %d verification pairs); %s head, %d epochs of %d batches\n",
		source, train.Len(), test.Len(), nPairs, cfg.Head.Kind, c.Epochs, nb)

	fitErr := fit.Fit(ctx, mod, trainIt, fc)
	curves := filepath.Join(c.Out, CurvesFile)
	var ie *fit.InterruptedError
	if errors.As(fitErr, &ie) {
		_ = plotCurves(curves, hist, nil, "")
		return nil, fmt.Errorf("%w\ncontinue with: evalkit train --resume %s --out %s%s", fitErr, ckPath, c.Out, dataFlag(c.Data))
	}
	if fitErr != nil {
		return nil, fitErr
	}
	if final.roc == nil {
		return nil, errors.New("train: the final verification did not run")
	}
	res = &Result{
		ValAcc: hist.Last("acc"), VerifyAcc: final.result.Accuracy, VerifyStd: final.result.AccuracyStd, AUC: final.roc.AUC(),
		Checkpoint: ckPath, MetricsLog: filepath.Join(c.Out, MetricsFile), Curves: curves,
	}
	if err := plotCurves(curves, hist, final.roc, fmt.Sprintf("final, AUC %.4f", res.AUC)); err != nil {
		return nil, err
	}
	if c.ExportONNX != "" {
		if err := model.ExportONNX(c.ExportONNX, mod.Network(), model.ONNXOptions{RGB: true, ProducerVersion: "evalkit"}); err != nil {
			return nil, err
		}
		res.ONNX = c.ExportONNX
		res.PairsBin = filepath.Join(c.Out, VerifyTarget+".bin")
		if err := writePairsBin(res.PairsBin, pairs); err != nil {
			return nil, err
		}
	}
	res.Elapsed = now().Sub(start)
	if err := stream.Emit(Summary{Time: now(), ValidationAcc: res.ValAcc, VerificationAcc: res.VerifyAcc,
		VerificationStd: res.VerifyStd, AUC: res.AUC, ElapsedSeconds: res.Elapsed.Seconds()}); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "evalkit: validation accuracy %s, verification accuracy %s+-%s (AUC %s) after %d epochs in %.1fs\n",
		pyfmt.Fixed(res.ValAcc, 4), pyfmt.Fixed(res.VerifyAcc, 5), pyfmt.Fixed(res.VerifyStd, 5), pyfmt.Fixed(res.AUC, 4), c.Epochs, res.Elapsed.Seconds())
	wrote := []string{res.Checkpoint, res.MetricsLog, res.Curves}
	if res.ONNX != "" {
		wrote = append(wrote, res.ONNX, res.PairsBin)
	}
	fmt.Fprintf(out, "evalkit: wrote %s\n", strings.Join(wrote, ", "))
	return res, nil
}

// loadData returns the training and held-out images and where they came from.
func loadData(dir string) (train, test *dataset.ImageSet, source string, err error) {
	if dir == "" {
		train, test, err = dataset.EmbeddedFashionMNIST()
		return train, test, "the embedded Fashion-MNIST subset", err
	}
	train, test, err = dataset.LoadFashionMNIST(dir)
	return train, test, "Fashion-MNIST from " + dir, err
}

func numClasses(sets ...*dataset.ImageSet) int {
	n := 0
	for _, s := range sets {
		for _, l := range s.Labels {
			n = max(n, int(l)+1)
		}
	}
	return n
}

func dataFlag(dir string) string {
	if dir == "" {
		return ""
	}
	return " --data " + dir
}
