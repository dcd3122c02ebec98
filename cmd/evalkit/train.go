package main

import (
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/evalkit/evalkit/train"
)

// addTrainFlags defines the flags of train (demo false) or demo over c,
// whose values are the defaults.
func addTrainFlags(fl *pflag.FlagSet, c *train.Config, demo bool) {
	fl.StringVar(&c.Out, "out", c.Out, "directory for the checkpoint, the metrics log and the curves")
	fl.IntVar(&c.Epochs, "epochs", c.Epochs, "number of epochs (MXNet's num_epoch: the end epoch, also when resuming)")
	fl.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the initialiser, the shuffle, the mirroring and the verification pairs")
	fl.BoolVar(&c.JSONLog, "json-log", c.JSONLog, "print the log as JSON lines instead of MXNet's text lines")
	fl.IntVar(&c.BatchSize, "batch-size", c.BatchSize, "training batch size")
	fl.Float64Var(&c.LR, "lr", c.LR, "learning rate (default 0.01 with --margin softmax)")
	fl.IntSliceVar(&c.LRSteps, "lr-steps", c.LRSteps, "global batch numbers after which the learning rate is multiplied by 0.1 (default: at 60% and 85% of training)")
	fl.Float64Var(&c.Momentum, "momentum", c.Momentum, "SGD momentum")
	fl.Float64Var(&c.WD, "wd", c.WD, "SGD weight decay")
	fl.StringVar(&c.Margin, "margin", c.Margin, "classification head: softmax, cosface or arcface")
	fl.Float64Var(&c.MarginS, "margin-s", c.MarginS, "scale s of the cosface/arcface logits, > 0 (insightface's default is 64)")
	fl.Float64Var(&c.MarginM, "margin-m", c.MarginM, "margin m: cosine margin (cosface) or angle in radians (arcface)")
	fl.BoolVar(&c.EasyMargin, "easy-margin", c.EasyMargin, "arcface: apply the margin only where cos θ > 0")
	fl.IntSliceVar(&c.Hidden, "hidden", c.Hidden, "widths of the hidden ReLU layers")
	fl.IntVar(&c.EmbSize, "emb-size", c.EmbSize, "embedding width (fc1)")
	fl.IntVar(&c.Frequent, "frequent", c.Frequent, "Speedometer period in batches")
	fl.IntVar(&c.VerifyEvery, "verify-every", c.VerifyEvery, "verification period in global batches (insightface's --verbose)")
	fl.IntVar(&c.Pairs, "pairs", c.Pairs, "verification pairs drawn from the held-out images, at most 100000 (0: 1000 for the embedded subset, 6000 otherwise)")
	fl.BoolVar(&c.Mirror, "rand-mirror", c.Mirror, "flip training images horizontally at random (insightface's rand_mirror)")
	fl.IntVar(&c.CheckpointEvery, "checkpoint-every", c.CheckpointEvery, "also write the resumable checkpoint every N batches (0: at epoch ends, on interruption and at the end)")
	fl.IntVar(&c.Workers, "workers", c.Workers, "goroutines per forward/backward (0: GOMAXPROCS; more is clamped to it)")
	fl.StringVar(&c.TensorBoard, "tensorboard", c.TensorBoard, "also write TensorBoard event files into this directory")
	exportHelp := "write the trained network as an ONNX model to this file (evaluate it with evalkit embed / verify --model)"
	if demo {
		exportHelp += " (default: model.onnx in --out)"
	}
	fl.StringVar(&c.ExportONNX, "export-onnx", c.ExportONNX, exportHelp)
	fl.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "serve Prometheus metrics at http://ADDR/metrics during training (e.g. 127.0.0.1:9100)")
	if !demo {
		fl.StringVar(&c.Data, "data", c.Data, "Fashion-MNIST (or MNIST) directory with the four IDX files (default: the embedded subset)")
		fl.StringVar(&c.Resume, "resume", c.Resume, "continue from a checkpoint written by train or demo")
	}
}

// runTrainCmd runs c from cmd, Ctrl-C cancelling it.
func runTrainCmd(cmd *cobra.Command, c train.Config) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	c.Output, c.Given = cmd.OutOrStdout(), cmd.Flags().Changed
	_, err := train.Run(ctx, c)
	return err
}

func newTrainCmd() *cobra.Command {
	c := train.DefaultConfig()
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
metrics.jsonl (every training event as JSON) and curves.png (training curves
and the ROC of the final verification); with --tensorboard DIR, TensorBoard
event files; with --metrics-addr, Prometheus metrics at /metrics while it
runs. Ctrl-C stops after the current batch and writes a resumable checkpoint.

On --resume the run's settings come from the checkpoint. --epochs, --lr,
--lr-steps, --momentum, --wd, --frequent, --verify-every, --checkpoint-every
and --workers may change (each change is said); the network (--hidden,
--emb-size, --margin*) and the data order (--batch-size, --seed,
--rand-mirror, --pairs) may not: a flag contradicting the checkpoint is an
error.`,
		Example: `  evalkit train --data /usr/share/datasets/fashion-mnist --epochs 10 --out runs/fmnist
  evalkit train --data /usr/share/datasets/fashion-mnist --resume runs/fmnist/checkpoint.npz --epochs 12 --out runs/fmnist
  evalkit train --epochs 3 --tensorboard runs/tb --metrics-addr 127.0.0.1:9100`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("lr") && strings.EqualFold(c.Margin, "softmax") {
				c.LR = 0.01
			}
			return runTrainCmd(cmd, c)
		},
	}
	addTrainFlags(cmd.Flags(), &c, false)
	return cmd
}
