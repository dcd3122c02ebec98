package train

import (
	"testing"
)

// smallConfig is a quick run: 50 batches of 100 per epoch, a small
// network, 200 verification pairs.
func smallConfig(t *testing.T) Config {
	c := DefaultConfig()
	c.Out, c.Epochs, c.BatchSize, c.Hidden, c.EmbSize, c.Pairs, c.VerifyEvery = t.TempDir(), 1, 100, []int{32}, 16, 200, 40
	return c
}
