package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/internal/pyfmt"
	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/metric/insightface"
	"github.com/evalkit/evalkit/model"
	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/report"
	"github.com/evalkit/evalkit/verify"
)

// trainFlags are the options of train and demo.
type trainFlags struct {
	data        string
	out         string
	epochs      int
	batchSize   int
	lr          float64
	lrSteps     []int
	momentum    float64
	wd          float64
	margin      string
	marginS     float64
	marginM     float64
	easyMargin  bool
	hidden      []int
	embSize     int
	seed        uint64
	frequent    int
	verifyEvery int
	pairs       int
	mirror      bool
	jsonLog     bool
	resume      string
	ckptEvery   int
	workers     int
}

// File names written into --out.
const (
	checkpointFile = "checkpoint.npz"
	metricsFile    = "metrics.jsonl"
	curvesFile     = "curves.png"
	verifyTarget   = "fashion"
)

// addTrainFlags defines the flags of train (demo false) or demo, with the
// command's default output directory and epoch count.
func addTrainFlags(fl *pflag.FlagSet, f *trainFlags, demo bool, out string, epochs, verifyEvery int) {
	fl.StringVar(&f.out, "out", out, "directory for the checkpoint, the metrics log and the curves")
	fl.IntVar(&f.epochs, "epochs", epochs, "number of epochs (MXNet's num_epoch: the end epoch, also when resuming)")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of the initialiser, the shuffle, the mirroring and the verification pairs")
	fl.BoolVar(&f.jsonLog, "json-log", false, "print the log as JSON lines instead of MXNet's text lines")
	fl.IntVar(&f.batchSize, "batch-size", 64, "training batch size")
	fl.Float64Var(&f.lr, "lr", 0.1, "learning rate (default 0.01 with --margin softmax)")
	fl.IntSliceVar(&f.lrSteps, "lr-steps", nil, "global batch numbers after which the learning rate is multiplied by 0.1 (default: at 60% and 85% of training)")
	fl.Float64Var(&f.momentum, "momentum", 0.9, "SGD momentum")
	fl.Float64Var(&f.wd, "wd", 5e-4, "SGD weight decay")
	fl.StringVar(&f.margin, "margin", "arcface", "classification head: softmax, cosface or arcface")
	fl.Float64Var(&f.marginS, "margin-s", 16, "scale s of the cosface/arcface logits (insightface's default is 64)")
	fl.Float64Var(&f.marginM, "margin-m", 0.3, "margin m: cosine margin (cosface) or angle in radians (arcface)")
	fl.BoolVar(&f.easyMargin, "easy-margin", false, "arcface: apply the margin only where cos θ > 0")
	fl.IntSliceVar(&f.hidden, "hidden", []int{256}, "widths of the hidden ReLU layers")
	fl.IntVar(&f.embSize, "emb-size", 128, "embedding width (fc1)")
	fl.IntVar(&f.frequent, "frequent", 20, "Speedometer period in batches")
	fl.IntVar(&f.verifyEvery, "verify-every", verifyEvery, "verification period in global batches (insightface's --verbose)")
	fl.IntVar(&f.pairs, "pairs", 0, "verification pairs drawn from the held-out images (0: 1000 for the embedded subset, 6000 otherwise)")
	fl.BoolVar(&f.mirror, "rand-mirror", true, "flip training images horizontally at random (insightface's rand_mirror)")
	fl.IntVar(&f.ckptEvery, "checkpoint-every", 0, "also write the resumable checkpoint every N batches (0: at the end, on interruption and at epoch ends)")
	fl.IntVar(&f.workers, "workers", 0, "goroutines per forward/backward (0: GOMAXPROCS)")
	if !demo {
		fl.StringVar(&f.data, "data", "", "Fashion-MNIST (or MNIST) directory with the four IDX files (default: the embedded subset)")
		fl.StringVar(&f.resume, "resume", "", "continue from a checkpoint written by train or demo")
	}
}

func newTrainCmd() *cobra.Command {
	var f trainFlags
	cmd := &cobra.Command{
		Use:   "train [--data DIR] [flags]",
		Short: "Train the pure-Go embedding network with insightface's metrics and callbacks",
		Long: `train fits evalkit's reference network (an MLP embedding network with a softmax,
CosFace or ArcFace head) on Fashion-MNIST, the way insightface's train_softmax.py
drives MXNet's Module.fit: AccMetric and LossValueMetric in a composite, a
Speedometer every --frequent batches, verification on held-out pairs every
--verify-every batches (10 folds, flipped images), epoch-end Train- and
Validation- lines on the test images.

Without --data it trains on the subset built into the binary (see demo). With
--data DIR it reads train-images-idx3-ubyte, train-labels-idx1-ubyte,
t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (optionally .gz), e.g. from
Debian's dataset-fashion-mnist in /usr/share/datasets/fashion-mnist.

It writes into --out: checkpoint.npz (parameters, optimizer, metric and
callback state, position and network config; continue with --resume),
metrics.jsonl (every log record as JSON) and curves.png (training curves and
the ROC of the final verification). Ctrl-C stops after the current batch and
writes a resumable checkpoint.`,
		Example: `  evalkit train --data /usr/share/datasets/fashion-mnist --epochs 10 --out runs/fmnist
  evalkit train --data /usr/share/datasets/fashion-mnist --resume runs/fmnist/checkpoint.npz --epochs 12 --out runs/fmnist`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("lr") && strings.EqualFold(f.margin, "softmax") {
				f.lr = 0.01
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			_, err := runTrain(ctx, cmd.OutOrStdout(), f, cmd.Flags().Changed)
			return err
		},
	}
	addTrainFlags(cmd.Flags(), &f, false, "./evalkit-train", 10, 2000)
	return cmd
}

// trainResult is what a run ends with.
type trainResult struct {
	ValAcc     float64 // last Validation-acc
	VerifyAcc  float64 // final verification Accuracy-Flip
	VerifyStd  float64
	AUC        float64
	Checkpoint string
	MetricsLog string
	Curves     string
	Elapsed    time.Duration
}

func (f *trainFlags) validate() error {
	pos := func(name string, v int) error {
		if v <= 0 {
			return fmt.Errorf("--%s must be > 0, got %d", name, v)
		}
		return nil
	}
	for _, e := range []error{pos("epochs", f.epochs), pos("batch-size", f.batchSize), pos("frequent", f.frequent),
		pos("verify-every", f.verifyEvery), pos("emb-size", f.embSize)} {
		if e != nil {
			return e
		}
	}
	if f.pairs < 0 || f.ckptEvery < 0 || f.workers < 0 {
		return fmt.Errorf("--pairs, --checkpoint-every and --workers must not be negative, got %d, %d, %d", f.pairs, f.ckptEvery, f.workers)
	}
	if !(f.lr > 0) || math.IsInf(f.lr, 0) {
		return fmt.Errorf("--lr must be a positive number, got %v", f.lr)
	}
	if !(f.momentum >= 0 && f.momentum < 1) || !(f.wd >= 0) {
		return fmt.Errorf("--momentum must be in [0, 1) and --wd >= 0, got %v and %v", f.momentum, f.wd)
	}
	for _, s := range f.lrSteps {
		if s <= 0 {
			return fmt.Errorf("--lr-steps must be positive batch numbers, got %d", s)
		}
	}
	if f.out == "" {
		return errors.New("--out must name a directory")
	}
	return nil
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

// runTrain trains as described in the train command's help and returns the
// final figures. changed tells which flags were given: a resumed run takes
// the others from the checkpoint's run settings.
func runTrain(ctx context.Context, out io.Writer, f trainFlags, changed func(flag string) bool) (res *trainResult, err error) {
	start := time.Now()
	if err := f.validate(); err != nil {
		return nil, err
	}
	train, test, source, err := loadData(f.data)
	if err != nil {
		return nil, err
	}
	ckPath := filepath.Join(f.out, checkpointFile)
	var ck *fit.Checkpoint
	if f.resume != "" {
		if ck, err = fit.LoadCheckpoint(f.resume); err != nil {
			return nil, err
		}
		if ck.State == nil {
			return nil, fmt.Errorf("--resume %s: the checkpoint holds no training state (write one with train or demo)", f.resume)
		}
		if err := applyRunSettings(&f, ck, changed); err != nil {
			return nil, fmt.Errorf("--resume %s: %w", f.resume, err)
		}
	}

	valBatch := 100
	cfg := model.Config{
		InputDim: train.Rows * train.Cols, Hidden: f.hidden, EmbeddingDim: f.embSize,
		NumClasses: numClasses(train, test), BatchSize: max(f.batchSize, valBatch), Workers: f.workers,
	}
	kind, err := model.ParseHeadKind(f.margin)
	if err != nil {
		return nil, err
	}
	cfg.Head = model.HeadConfig{Kind: kind}
	if kind != model.Softmax {
		cfg.Head.Scale, cfg.Head.Margin, cfg.Head.EasyMargin = f.marginS, f.marginM, f.easyMargin
	}
	if ck != nil {
		saved, err := model.ConfigFromCheckpoint(ck)
		if err != nil {
			return nil, fmt.Errorf("--resume %s: %w", f.resume, err)
		}
		if saved.InputDim != cfg.InputDim || saved.NumClasses < cfg.NumClasses {
			return nil, fmt.Errorf("--resume %s: the checkpoint's network takes %d inputs and %d classes, the data has %d and %d", f.resume, saved.InputDim, saved.NumClasses, cfg.InputDim, cfg.NumClasses)
		}
		saved.BatchSize, saved.Workers = cfg.BatchSize, cfg.Workers
		cfg = saved
		if ck.State.Epoch >= f.epochs {
			return nil, fmt.Errorf("--resume %s: the checkpoint is at epoch %d; --epochs %d leaves nothing to train (pass a larger --epochs: it is the end epoch, as MXNet's num_epoch)", f.resume, ck.State.Epoch, f.epochs)
		}
	}
	net, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	defer net.Close()
	if ck != nil {
		if err := net.CheckParams(ck); err != nil {
			return nil, fmt.Errorf("--resume %s: %w", f.resume, err)
		}
	}
	mod := model.NewModule(net)

	trainIt, err := model.NewImageIter(train.Pixels, train.Labels, train.Rows, train.Cols,
		model.ImageIterOptions{BatchSize: f.batchSize, Shuffle: true, Seed: f.seed, RandMirror: f.mirror})
	if err != nil {
		return nil, fmt.Errorf("training data: %w", err)
	}
	valIt, err := model.NewImageIter(test.Pixels, test.Labels, test.Rows, test.Cols,
		model.ImageIterOptions{BatchSize: valBatch, Pad: true})
	if err != nil {
		return nil, fmt.Errorf("validation data: %w", err)
	}
	nPairs := f.pairs
	if nPairs == 0 {
		nPairs = 6000
		if f.data == "" {
			nPairs = 1000
		}
	}
	pairs, err := dataset.BuildPairs(test, nPairs, f.seed)
	if err != nil {
		return nil, fmt.Errorf("verification pairs: %w", err)
	}
	ver, err := newPairVerifier(pairs, f.batchSize)
	if err != nil {
		return nil, err
	}

	sgd := fit.NewSGD(f.lr)
	sgd.Momentum, sgd.WD = f.momentum, f.wd
	nb := trainIt.NumBatches()
	lrSteps := f.lrSteps
	if len(lrSteps) == 0 {
		total := nb * f.epochs
		lrSteps = []int{int(0.6 * float64(total)), int(0.85 * float64(total))}
	}

	// Logging: MXNet's lines (or JSON) to out, every record as JSON to the
	// metrics log, and the values the curves need to the recorder.
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return nil, fmt.Errorf("creating --out: %w", err)
	}
	mf, err := os.OpenFile(filepath.Join(f.out, metricsFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the metrics log: %w", err)
	}
	defer func() { _ = mf.Close() }() // closed and checked at the end of a successful run
	jsonH := slog.NewJSONHandler(mf, nil)
	rec := &curveRecorder{batchesPerEpoch: nb}
	termFormat := fit.LogPlain
	if f.jsonLog {
		termFormat = fit.LogJSON
	}
	logger := slog.New(slog.NewMultiHandler(fit.NewLogger(out, termFormat).Handler(), jsonH, rec))
	events := slog.New(jsonH)

	cb := fit.NewInsightfaceCallback(f.batchSize, f.frequent, filepath.Join(f.out, "model"), []fit.VerifyTarget{{Name: verifyTarget, Verifier: ver}})
	cb.Verbose, cb.Ckpt, cb.LRSteps, cb.Logger = f.verifyEvery, 0, lrSteps, logger
	cb.Speedometer.Logger = logger
	ver.onResult = func(r *verify.Result) {
		rec.addVerification(cb.GlobalStep(), r.Accuracy)
		events.LogAttrs(ctx, slog.LevelInfo, "verification", slog.String("target", verifyTarget), slog.Int("step", cb.GlobalStep()),
			slog.Float64("accuracy", r.Accuracy), slog.Float64("accuracy_std", r.AccuracyStd), slog.Float64("xnorm", r.XNorm),
			slog.Float64("val", r.VAL), slog.Float64("far", r.FAR))
	}
	cfgState := &model.ConfigState{Config: cfg}
	run := &runState{s: runSettings{Epochs: f.epochs, BatchSize: f.batchSize, LRSteps: lrSteps, Seed: f.seed,
		RandMirror: f.mirror, Frequent: f.frequent, VerifyEvery: f.verifyEvery, Pairs: nPairs}}
	every := f.ckptEvery
	if every == 0 {
		every = nb // at every epoch end of an uninterrupted run
	}

	trainMetric := metric.NewComposite(metric.Options{}, insightface.NewAccMetric(), insightface.NewLossValueMetric())
	valMetric := metric.NewComposite(metric.Options{}, insightface.NewAccMetric(), insightface.NewLossValueMetric())
	opts := []fit.Option{
		fit.WithNumEpoch(f.epochs), fit.WithEvalData(valIt), fit.WithEvalMetric(trainMetric), fit.WithValidationMetric(valMetric),
		fit.WithOptimizer(sgd), fit.WithLogger(logger), fit.WithBatchEndCallback(cfgState, run, rec, cb),
		fit.WithResumeCheckpoint(ckPath, every),
	}
	if ck != nil {
		if err := ck.RestoreOptimizer(sgd); err != nil {
			return nil, fmt.Errorf("--resume %s: %w", f.resume, err)
		}
		trainIt.SetEpoch(ck.State.Epoch)
		opts = append(opts, fit.WithArgParams(ck.Arg, ck.Aux), fit.WithResume(ck.State))
	} else {
		opts = append(opts, fit.WithInitializer(fit.NewXavier("gaussian", "out", 2, f.seed)))
	}
	events.LogAttrs(ctx, slog.LevelInfo, "start", slog.String("data", source), slog.Int("train_images", train.Len()),
		slog.Int("test_images", test.Len()), slog.Int("pairs", nPairs), slog.Int("epochs", f.epochs),
		slog.Int("batch_size", f.batchSize), slog.Float64("lr", f.lr), slog.Any("lr_steps", lrSteps), slog.String("resume", f.resume))
	fmt.Fprintf(out, "evalkit: training on %s (%d training, %d held-out images, %d verification pairs); %s head, %d epochs of %d batches\n",
		source, train.Len(), test.Len(), nPairs, cfg.Head.Kind, f.epochs, nb)

	fitErr := fit.Fit(ctx, mod, trainIt, opts...)
	var ie *fit.InterruptedError
	if errors.As(fitErr, &ie) {
		_ = rec.plot(filepath.Join(f.out, curvesFile), nil, "")
		return nil, fmt.Errorf("%w\ncontinue with: evalkit train --resume %s --out %s%s", fitErr, ckPath, f.out, dataFlag(f.data))
	}
	if fitErr != nil {
		return nil, fitErr
	}

	// The final checkpoint: everything needed to continue with more epochs.
	st := &fit.TrainState{Epoch: f.epochs, LearningRate: sgd.LearningRate(), Callbacks: map[string]json.RawMessage{}}
	for _, s := range []fit.Stateful{cfgState, run, rec, cb} {
		raw, err := s.MarshalState()
		if err != nil {
			return nil, err
		}
		st.Callbacks[s.StateKey()] = raw
	}
	arg, aux := mod.Params()
	optState, err := sgd.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if err := fit.SaveCheckpoint(ckPath, &fit.Checkpoint{Arg: arg, Aux: aux, Optimizer: optState, State: st}); err != nil {
		return nil, err
	}

	// The final verification, for the summary and the ROC panel.
	final, scores, err := ver.evaluate(ctx, mod)
	if err != nil {
		return nil, fmt.Errorf("final verification: %w", err)
	}
	roc, err := verify.NewROC(scores, pairs.Issame)
	if err != nil {
		return nil, fmt.Errorf("final verification ROC: %w", err)
	}
	res = &trainResult{
		ValAcc: rec.lastValAcc(), VerifyAcc: final.Accuracy, VerifyStd: final.AccuracyStd, AUC: roc.AUC(),
		Checkpoint: ckPath, MetricsLog: filepath.Join(f.out, metricsFile), Curves: filepath.Join(f.out, curvesFile),
	}
	label := fmt.Sprintf("final, AUC %.4f", res.AUC)
	if err := rec.plot(res.Curves, roc, label); err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(start)
	defer func() {
		if cerr := mf.Close(); cerr != nil && err == nil {
			res, err = nil, fmt.Errorf("writing the metrics log: %w", cerr)
		}
	}()
	events.LogAttrs(ctx, slog.LevelInfo, "summary", slog.Float64("validation_acc", res.ValAcc),
		slog.Float64("verification_acc", res.VerifyAcc), slog.Float64("verification_std", res.VerifyStd),
		slog.Float64("auc", res.AUC), slog.Float64("elapsed_seconds", res.Elapsed.Seconds()))
	fmt.Fprintf(out, "evalkit: validation accuracy %s, verification accuracy %s+-%s (AUC %s) after %d epochs in %.1fs\n",
		pyfmt.Fixed(res.ValAcc, 4), pyfmt.Fixed(res.VerifyAcc, 5), pyfmt.Fixed(res.VerifyStd, 5), pyfmt.Fixed(res.AUC, 4), f.epochs, res.Elapsed.Seconds())
	fmt.Fprintf(out, "evalkit: wrote %s, %s, %s\n", res.Checkpoint, res.MetricsLog, res.Curves)
	return res, nil
}

// runSettings are the flags that decide a run's data order and schedule.
// They travel in the checkpoint, so a resume without flags continues the
// same run.
type runSettings struct {
	Epochs      int    `json:"epochs"`
	BatchSize   int    `json:"batch_size"`
	LRSteps     []int  `json:"lr_steps"`
	Seed        uint64 `json:"seed"`
	RandMirror  bool   `json:"rand_mirror"`
	Frequent    int    `json:"frequent"`
	VerifyEvery int    `json:"verify_every"`
	Pairs       int    `json:"pairs"`
}

// runState carries runSettings as a Stateful callback (a no-op per batch).
type runState struct{ s runSettings }

func (r *runState) BatchEnd(fit.BatchEndParam) error { return nil }
func (r *runState) StateKey() string                 { return "evalkit_run" }
func (r *runState) MarshalState() (json.RawMessage, error) {
	return json.Marshal(r.s)
}
func (r *runState) RestoreState(json.RawMessage) error { return nil } // read by applyRunSettings

// applyRunSettings sets every run flag that was not given from the
// checkpoint's stored settings.
func applyRunSettings(f *trainFlags, ck *fit.Checkpoint, changed func(string) bool) error {
	raw, ok := ck.State.Callbacks["evalkit_run"]
	if !ok {
		return nil
	}
	var s runSettings
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("run settings: %w", err)
	}
	set := func(flag string, apply func()) {
		if !changed(flag) {
			apply()
		}
	}
	set("epochs", func() { f.epochs = s.Epochs })
	set("batch-size", func() { f.batchSize = s.BatchSize })
	set("lr-steps", func() { f.lrSteps = s.LRSteps })
	set("seed", func() { f.seed = s.Seed })
	set("rand-mirror", func() { f.mirror = s.RandMirror })
	set("frequent", func() { f.frequent = s.Frequent })
	set("verify-every", func() { f.verifyEvery = s.VerifyEvery })
	set("pairs", func() { f.pairs = s.Pairs })
	return f.validate()
}

func dataFlag(dir string) string {
	if dir == "" {
		return ""
	}
	return " --data " + dir
}

// pairVerifier embeds a pair set and its mirror images with the module and
// runs insightface's 10-fold protocol, as verification.test.
type pairVerifier struct {
	images, flipped *nd.Array
	issame          []bool
	batch           int
	onResult        func(*verify.Result)
}

func newPairVerifier(p *dataset.ImagePairs, batch int) (*pairVerifier, error) {
	toArray := func(px []uint8) (*nd.Array, error) {
		v := make([]float32, len(px))
		for i, b := range px {
			v[i] = float32(b)
		}
		return nd.FromFloat32(v, 2*p.Len(), p.Rows*p.Cols)
	}
	img, err := toArray(p.Pixels)
	if err != nil {
		return nil, err
	}
	flip, err := toArray(p.Flipped())
	if err != nil {
		return nil, err
	}
	return &pairVerifier{images: img, flipped: flip, issame: p.Issame, batch: batch}, nil
}

// evaluate returns the protocol's result and the cosine score of each pair.
func (v *pairVerifier) evaluate(ctx context.Context, mod fit.Module) (*verify.Result, []float64, error) {
	emb, err := fit.Embed(ctx, mod, v.images, v.batch, 0)
	if err != nil {
		return nil, nil, err
	}
	flip, err := fit.Embed(ctx, mod, v.flipped, v.batch, 0)
	if err != nil {
		return nil, nil, err
	}
	r, err := verify.EvaluateEmbeddings(emb, flip, v.issame, verify.Options{})
	if err != nil {
		return nil, nil, err
	}
	scores, _, err := verify.PairScores(emb, flip, verify.Cosine)
	if err != nil {
		return nil, nil, err
	}
	return r, scores, nil
}

// Verify implements fit.Verifier.
func (v *pairVerifier) Verify(ctx context.Context, mod fit.Module) (fit.VerifyResult, error) {
	r, _, err := v.evaluate(ctx, mod)
	if err != nil {
		return fit.VerifyResult{}, err
	}
	if v.onResult != nil {
		v.onResult(r)
	}
	return fit.VerifyResult{Acc2: r.Accuracy, Std2: r.AccuracyStd, XNorm: r.XNorm}, nil
}

// curveRecorder collects the values the curves show from the log records
// (Speedometer windows and epoch lines) and from verifications. It is a
// slog.Handler, and a Stateful batch-end callback so the history survives a
// resume inside the checkpoint.
type curveRecorder struct {
	batchesPerEpoch int
	mu              sync.Mutex
	h               curveHistory
}

type curveHistory struct {
	WindowX   []float64 `json:"window_x"`
	TrainAcc  []float64 `json:"train_acc"`
	TrainLoss []float64 `json:"train_loss"`
	EpochX    []float64 `json:"epoch_x"`
	ValAcc    []float64 `json:"val_acc"`
	ValLoss   []float64 `json:"val_loss"`
	VerifyX   []float64 `json:"verify_x"`
	VerifyAcc []float64 `json:"verify_acc"`
}

// Enabled accepts every record.
func (r *curveRecorder) Enabled(context.Context, slog.Level) bool { return true }

// WithAttrs and WithGroup return the recorder itself (it reads record attrs).
func (r *curveRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }

// WithGroup returns the recorder itself.
func (r *curveRecorder) WithGroup(string) slog.Handler { return r }

// Handle picks Speedometer and Train/Validation records.
func (r *curveRecorder) Handle(_ context.Context, rec slog.Record) error {
	vals := map[string]float64{}
	strs := map[string]string{}
	rec.Attrs(func(a slog.Attr) bool {
		switch a.Value.Kind() {
		case slog.KindInt64:
			vals[a.Key] = float64(a.Value.Int64())
		case slog.KindFloat64:
			vals[a.Key] = a.Value.Float64()
		case slog.KindString:
			strs[a.Key] = a.Value.String()
			if v, err := strconv.ParseFloat(a.Value.String(), 64); err == nil { // "nan", "inf"
				vals[a.Key] = v
			}
		}
		return true
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	epoch, ok := vals["epoch"]
	if !ok {
		return nil
	}
	if end, ok := vals["batch_end"]; ok {
		r.h.WindowX = append(r.h.WindowX, epoch*float64(r.batchesPerEpoch)+end+1)
		r.h.TrainAcc = append(r.h.TrainAcc, valueOr(vals, "acc"))
		r.h.TrainLoss = append(r.h.TrainLoss, valueOr(vals, "lossvalue"))
		return nil
	}
	if strs["kind"] == "Validation" {
		x := (epoch + 1) * float64(r.batchesPerEpoch)
		switch strs["metric"] {
		case "acc":
			r.h.EpochX = append(r.h.EpochX, x)
			r.h.ValAcc = append(r.h.ValAcc, valueOr(vals, "value"))
			r.h.ValLoss = append(r.h.ValLoss, math.NaN())
		case "lossvalue":
			if n := len(r.h.ValLoss); n > 0 && r.h.EpochX[n-1] == x {
				r.h.ValLoss[n-1] = valueOr(vals, "value")
			}
		}
	}
	return nil
}

func valueOr(m map[string]float64, k string) float64 {
	if v, ok := m[k]; ok {
		return v
	}
	return math.NaN()
}

func (r *curveRecorder) addVerification(step int, acc float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.h.VerifyX = append(r.h.VerifyX, float64(step))
	r.h.VerifyAcc = append(r.h.VerifyAcc, acc)
}

func (r *curveRecorder) lastValAcc() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.h.ValAcc) == 0 {
		return math.NaN()
	}
	return r.h.ValAcc[len(r.h.ValAcc)-1]
}

// BatchEnd does nothing: the recorder is a callback only to be Stateful.
func (r *curveRecorder) BatchEnd(fit.BatchEndParam) error { return nil }

// StateKey names the recorder's state in checkpoints.
func (r *curveRecorder) StateKey() string { return "evalkit_curves" }

// MarshalState exports the history (NaN written as null).
func (r *curveRecorder) MarshalState() (json.RawMessage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.h
	fix := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = x
			if math.IsNaN(x) || math.IsInf(x, 0) {
				out[i] = -1 // JSON has no NaN; -1 is no valid accuracy or loss
			}
		}
		return out
	}
	h.TrainAcc, h.TrainLoss, h.ValAcc, h.ValLoss, h.VerifyAcc = fix(h.TrainAcc), fix(h.TrainLoss), fix(h.ValAcc), fix(h.ValLoss), fix(h.VerifyAcc)
	return json.Marshal(h)
}

// RestoreState restores the history.
func (r *curveRecorder) RestoreState(raw json.RawMessage) error {
	var h curveHistory
	if err := json.Unmarshal(raw, &h); err != nil {
		return fmt.Errorf("curve history: %w", err)
	}
	if len(h.WindowX) != len(h.TrainAcc) || len(h.WindowX) != len(h.TrainLoss) || len(h.EpochX) != len(h.ValAcc) ||
		len(h.EpochX) != len(h.ValLoss) || len(h.VerifyX) != len(h.VerifyAcc) {
		return errors.New("curve history: series of different lengths")
	}
	for _, v := range [][]float64{h.TrainAcc, h.TrainLoss, h.ValAcc, h.ValLoss, h.VerifyAcc} {
		for i, x := range v {
			if x == -1 {
				v[i] = math.NaN()
			}
		}
	}
	r.mu.Lock()
	r.h = h
	r.mu.Unlock()
	return nil
}

// plot writes the curves: accuracies, losses and, when given, the ROC.
func (r *curveRecorder) plot(path string, roc *verify.ROC, rocLabel string) error {
	r.mu.Lock()
	h := r.h
	r.mu.Unlock()
	fig := report.Figure{
		Title: "evalkit: Fashion-MNIST embedding network",
		Panels: []report.Panel{
			{Title: "accuracy", XLabel: "batch", YLabel: "accuracy", YMin: 0, YMax: 1, LegendBottom: true, Series: []report.Series{
				{Name: "train acc (margin)", X: h.WindowX, Y: h.TrainAcc},
				{Name: "validation acc", X: h.EpochX, Y: h.ValAcc, Points: true},
				{Name: "verification acc", X: h.VerifyX, Y: h.VerifyAcc, Points: true},
			}},
			{Title: "loss", XLabel: "batch", YLabel: "lossvalue", Series: []report.Series{
				{Name: "train lossvalue", X: h.WindowX, Y: h.TrainLoss},
				{Name: "validation lossvalue", X: h.EpochX, Y: h.ValLoss, Points: true},
			}},
		},
		Cols: 3,
	}
	if roc != nil {
		fig.Panels = append(fig.Panels, report.ROCPanel("verification ROC (held-out pairs)",
			report.Series{Name: rocLabel, X: roc.FPR, Y: roc.TPR}))
	}
	return fig.WritePNGFile(path)
}
