package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/nd"
)

// ConfigStateKey is the key under which a network's Config travels in a
// resumable checkpoint's TrainState.Callbacks.
const ConfigStateKey = "model_config"

// ConfigState carries a network's Config through fit's resumable
// checkpoints, the way MXNet's prefix-symbol.json carries the architecture
// beside the parameters: list it in fit.Config.States and fit stores the
// config with every resumable checkpoint; ConfigFromCheckpoint reads it back before the network
// is built. On resume, RestoreState checks that the checkpoint's
// architecture is the one being trained.
type ConfigState struct {
	Config Config
}

var _ fit.Stateful = (*ConfigState)(nil)

// StateKey returns ConfigStateKey.
func (*ConfigState) StateKey() string { return ConfigStateKey }

// MarshalState encodes the config as JSON.
func (c *ConfigState) MarshalState() (json.RawMessage, error) {
	return json.Marshal(c.Config.withDefaults())
}

// RestoreState fails unless the stored config describes the same network.
func (c *ConfigState) RestoreState(raw json.RawMessage) error {
	got, err := decodeConfig(raw)
	if err != nil {
		return err
	}
	if !sameArchitecture(got, c.Config) {
		return fmt.Errorf("model: checkpoint holds a different network (%s) from the one being trained (%s)", describe(got), describe(c.Config))
	}
	return nil
}

func decodeConfig(raw json.RawMessage) (Config, error) {
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return Config{}, fmt.Errorf("model: checkpoint network config: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("checkpoint network config: %w", err)
	}
	return cfg, nil
}

// sameArchitecture compares everything but BatchSize and Workers, which
// change buffers, not parameters or results.
func sameArchitecture(a, b Config) bool {
	a, b = a.withDefaults(), b.withDefaults()
	return a.InputDim == b.InputDim && slices.Equal(a.Hidden, b.Hidden) && a.EmbeddingDim == b.EmbeddingDim &&
		a.NumClasses == b.NumClasses && a.Head == b.Head && a.InputMean == b.InputMean && a.InputScale == b.InputScale
}

func describe(c Config) string {
	c = c.withDefaults()
	h := c.Head
	s := fmt.Sprintf("input %d, hidden %v, embedding %d, %d classes, %s head", c.InputDim, c.Hidden, c.EmbeddingDim, c.NumClasses, h.Kind)
	if h.Kind != Softmax {
		s += fmt.Sprintf(" s=%g m=%g", h.Scale, h.Margin)
		if h.EasyMargin {
			s += " easy"
		}
	}
	return s
}

// ConfigFromCheckpoint returns the network config stored in a resumable
// checkpoint by ConfigState.
func ConfigFromCheckpoint(ck *fit.Checkpoint) (Config, error) {
	if ck == nil || ck.State == nil {
		return Config{}, errors.New("model: checkpoint has no training state (not a resumable checkpoint)")
	}
	raw, ok := ck.State.Callbacks[ConfigStateKey]
	if !ok {
		return Config{}, fmt.Errorf("model: checkpoint has no network config (state key %q); it was not written by an evalkit model", ConfigStateKey)
	}
	return decodeConfig(raw)
}

// CheckParams reports the first difference between a checkpoint's
// parameters and the network's: a missing or extra name, or a shape or
// dtype mismatch, naming expected and found.
func (n *Network) CheckParams(ck *fit.Checkpoint) error {
	if ck == nil {
		return errors.New("model: nil checkpoint")
	}
	for _, p := range n.params {
		a, ok := ck.Arg[p.Name]
		if !ok {
			return fmt.Errorf("model: checkpoint lacks parameter %s", p.Name)
		}
		if a.Float32s() == nil || !slices.Equal(a.Shape(), p.Shape) {
			return fmt.Errorf("model: checkpoint parameter %s is %s, want float32%s", p.Name, a, nd.ShapeString(p.Shape))
		}
	}
	if len(ck.Arg) != len(n.params) {
		for name := range ck.Arg {
			if !slices.ContainsFunc(n.params, func(p Param) bool { return p.Name == name }) {
				return fmt.Errorf("model: checkpoint has parameter %s, which the network does not", name)
			}
		}
	}
	return nil
}
