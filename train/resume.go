package train

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/model"
)

// settings are the run settings that travel in the checkpoint, so a resume
// without flags continues the same run.
type settings struct {
	Epochs      int      `json:"epochs"`
	BatchSize   int      `json:"batch_size"`
	LRSteps     []int    `json:"lr_steps"`
	Seed        uint64   `json:"seed"`
	RandMirror  bool     `json:"rand_mirror"`
	Frequent    int      `json:"frequent"`
	VerifyEvery int      `json:"verify_every"`
	Pairs       int      `json:"pairs"`
	Momentum    *float64 `json:"momentum,omitempty"` // absent in checkpoints of evalkit before 2026-12
	WD          *float64 `json:"wd,omitempty"`
}

// settingsKey names the settings in TrainState.Callbacks.
const settingsKey = "evalkit_run"

// settingsState carries settings through fit.Config.States.
type settingsState struct{ s settings }

func (r *settingsState) StateKey() string                       { return settingsKey }
func (r *settingsState) MarshalState() (json.RawMessage, error) { return json.Marshal(r.s) }
func (r *settingsState) RestoreState(json.RawMessage) error     { return nil } // read by applyResume

// Changeable lists the flags a resumed run may change: they are applied
// (and said). Every other setting is the checkpoint's: a flag that
// contradicts it is refused.
var Changeable = []string{"epochs", "lr", "lr-steps", "momentum", "wd", "frequent", "verify-every", "checkpoint-every", "workers"}

// applyResume completes c from the checkpoint: settings not given come
// from it; given ones in Changeable are applied and reported through say
// when they differ; given ones that contradict the checkpoint's run or
// network are an error naming the flag and the checkpoint's value.
func applyResume(c *Config, ck *fit.Checkpoint, saved model.Config, say func(string)) error {
	var s settings
	if raw, ok := ck.State.Callbacks[settingsKey]; ok {
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("run settings: %w", err)
		}
	} else {
		s = settings{Epochs: c.Epochs, BatchSize: c.BatchSize, LRSteps: c.LRSteps, Seed: c.Seed, RandMirror: c.Mirror,
			Frequent: c.Frequent, VerifyEvery: c.VerifyEvery, Pairs: c.Pairs}
	}
	change := func(flag string, cur, stored any, apply func()) {
		if !c.given(flag) {
			apply()
			return
		}
		if fmt.Sprint(cur) != fmt.Sprint(stored) {
			say(fmt.Sprintf("resuming with --%s %v (the checkpoint's run had %v)", flag, cur, stored))
		}
	}
	change("epochs", c.Epochs, s.Epochs, func() { c.Epochs = s.Epochs })
	change("lr-steps", c.LRSteps, s.LRSteps, func() { c.LRSteps = s.LRSteps })
	change("frequent", c.Frequent, s.Frequent, func() { c.Frequent = s.Frequent })
	change("verify-every", c.VerifyEvery, s.VerifyEvery, func() { c.VerifyEvery = s.VerifyEvery })
	if s.Momentum != nil {
		change("momentum", c.Momentum, *s.Momentum, func() { c.Momentum = *s.Momentum })
	}
	if s.WD != nil {
		change("wd", c.WD, *s.WD, func() { c.WD = *s.WD })
	}
	if c.given("lr") {
		if c.LR != ck.State.LearningRate {
			say(fmt.Sprintf("resuming with --lr %v (the checkpoint's learning rate was %v)", c.LR, ck.State.LearningRate))
		}
		ck.State.LearningRate = c.LR
	}

	var errs []string
	fixed := func(flag string, cur, stored any, apply func()) {
		if !c.given(flag) {
			apply()
			return
		}
		if fmt.Sprint(cur) != fmt.Sprint(stored) {
			errs = append(errs, fmt.Sprintf("--%s %v contradicts the checkpoint's %v", flag, cur, stored))
		}
	}
	fixed("batch-size", c.BatchSize, s.BatchSize, func() { c.BatchSize = s.BatchSize })
	fixed("seed", c.Seed, s.Seed, func() { c.Seed = s.Seed })
	fixed("rand-mirror", c.Mirror, s.RandMirror, func() { c.Mirror = s.RandMirror })
	fixed("pairs", c.Pairs, s.Pairs, func() { c.Pairs = s.Pairs })
	net := func(flag string, cur, stored any) {
		if c.given(flag) && fmt.Sprint(cur) != fmt.Sprint(stored) {
			errs = append(errs, fmt.Sprintf("--%s %v contradicts the checkpoint's %v", flag, cur, stored))
		}
	}
	hidden := saved.Hidden
	if hidden == nil {
		hidden = []int{}
	}
	if c.given("hidden") && !slices.Equal(c.Hidden, hidden) {
		errs = append(errs, fmt.Sprintf("--hidden %v contradicts the checkpoint's %v", c.Hidden, hidden))
	}
	net("emb-size", c.EmbSize, saved.EmbeddingDim)
	net("margin", c.Margin, saved.Head.Kind)
	if saved.Head.Kind != model.Softmax {
		net("margin-s", c.MarginS, saved.Head.Scale)
		net("margin-m", c.MarginM, saved.Head.Margin)
		net("easy-margin", c.EasyMargin, saved.Head.EasyMargin)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s; only %v may change on --resume (drop the others to continue the checkpoint's run)", joinSemi(errs), Changeable)
	}
	c.Hidden, c.EmbSize, c.Margin = hidden, saved.EmbeddingDim, saved.Head.Kind.String()
	c.MarginS, c.MarginM, c.EasyMargin = saved.Head.Scale, saved.Head.Margin, saved.Head.EasyMargin
	return c.validate()
}

func joinSemi(s []string) string {
	out := s[0]
	for _, x := range s[1:] {
		out += "; " + x
	}
	return out
}
