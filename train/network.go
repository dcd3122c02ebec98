package train

import (
	"fmt"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/model"
)

// valBatch is the validation batch size.
const valBatch = 100

// buildNetwork builds the network c describes, or, resuming, the
// checkpoint's (after checking that it fits the data, that epochs are left
// and that its parameters fit it). Close the network when done.
func buildNetwork(c *Config, train, test *dataset.ImageSet, ck *fit.Checkpoint, saved model.Config, say func(string)) (*model.Network, model.Config, error) {
	cfg := model.Config{
		InputDim: train.Rows * train.Cols, Hidden: c.Hidden, EmbeddingDim: c.EmbSize,
		NumClasses: numClasses(train, test), BatchSize: max(c.BatchSize, valBatch), Workers: c.workers(say),
	}
	kind, err := model.ParseHeadKind(c.Margin)
	if err != nil {
		return nil, model.Config{}, err
	}
	cfg.Head = model.HeadConfig{Kind: kind}
	if kind != model.Softmax {
		cfg.Head.Scale, cfg.Head.Margin, cfg.Head.EasyMargin = c.MarginS, c.MarginM, c.EasyMargin
	}
	if ck != nil {
		if saved.InputDim != cfg.InputDim || saved.NumClasses < cfg.NumClasses {
			return nil, model.Config{}, fmt.Errorf("--resume %s: the checkpoint's network takes %d inputs and %d classes, the data has %d and %d", c.Resume, saved.InputDim, saved.NumClasses, cfg.InputDim, cfg.NumClasses)
		}
		saved.BatchSize, saved.Workers = cfg.BatchSize, cfg.Workers
		cfg = saved
		if ck.State.Epoch >= c.Epochs && (ck.State.Done || ck.State.Epoch > c.Epochs) {
			return nil, model.Config{}, fmt.Errorf("--resume %s: the checkpoint is at epoch %d; --epochs %d leaves nothing to train (pass a larger --epochs: it is the end epoch, as MXNet's num_epoch)", c.Resume, ck.State.Epoch, c.Epochs)
		}
	}
	net, err := model.New(cfg)
	if err != nil {
		return nil, model.Config{}, err
	}
	if ck != nil {
		if err := net.CheckParams(ck); err != nil {
			net.Close()
			return nil, model.Config{}, fmt.Errorf("--resume %s: %w", c.Resume, err)
		}
	}
	return net, cfg, nil
}
