package main

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/evalkit/evalkit/train"
)

func newDemoCmd() *cobra.Command {
	c := train.DemoConfig()
	cmd := &cobra.Command{
		Use:   "demo [--out DIR] [--epochs N] [--seed S] [--json-log]",
		Short: "Train on the built-in Fashion-MNIST subset and write a checkpoint, a metrics log and curves",
		Long: `demo is the one-command tour of evalkit. It trains the pure-Go embedding network
(784-256-128 MLP with an ArcFace head, s=16, m=0.3) on the Fashion-MNIST subset
built into the binary (5,000 training and 1,000 held-out images; no download),
exactly as insightface's train_softmax.py drives MXNet's Module.fit:

  - AccMetric and LossValueMetric in a composite (acc is measured on the
    margin-penalised softmax, so it trails the validation accuracy);
  - a Speedometer line every 20 batches, in MXNet's format;
  - verification every --verify-every batches on 1,000 same/different-class
    pairs of held-out images (10 folds, flipped-image embeddings summed),
    printing [fashion][step]XNorm and Accuracy-Flip lines;
  - Epoch[e] Train-, Time cost and Validation- lines at every epoch end.

It then writes into --out: checkpoint.npz (continue it with
evalkit train --resume), metrics.jsonl (every training event as JSON), curves.png
(accuracy and loss curves, and the ROC of the final verification) and model.onnx
(the trained network for ONNX Runtime: evalkit embed / verify --model). It takes
well under a minute on two cores. Every training flag of evalkit train
applies; evalkit train --data DIR runs the same on the full dataset.`,
		Example: `  evalkit demo
  evalkit demo --out /tmp/demo --epochs 5 --json-log`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("export-onnx") {
				c.ExportONNX = filepath.Join(c.Out, "model.onnx")
			}
			return runTrainCmd(cmd, c)
		},
	}
	addTrainFlags(cmd.Flags(), &c, true)
	return cmd
}
