package train

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/events/tensorboard"
	"github.com/evalkit/evalkit/fit"
)

// smallConfig is a quick run: 50 batches of 100 per epoch, a small
// network, 200 verification pairs.
func smallConfig(t *testing.T) Config {
	c := DefaultConfig()
	c.Out, c.Epochs, c.BatchSize, c.Hidden, c.EmbSize, c.Pairs, c.VerifyEvery = t.TempDir(), 1, 100, []int{32}, 16, 200, 40
	return c
}

func given(flags ...string) func(string) bool {
	return func(f string) bool { return slices.Contains(flags, f) }
}

// Issue 8 item 15: settings that used to be taken silently, or to crash.
func TestConfigRefused(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*Config)
		want string
	}{
		{"margin-s 0", func(c *Config) { c.MarginS = 0 }, "--margin-s must be a positive number for the arcface head, got 0 (insightface's default is 64)"},
		{"margin-s nan", func(c *Config) { c.Margin, c.MarginS = "cosface", -1 }, "--margin-s must be a positive number for the cosface head, got -1"},
		{"pairs", func(c *Config) { c.Pairs = 2_000_000_000 }, "--pairs 2000000000 is more than 100000: each pair holds two images and their mirrors (about 12.5 KB), so 2000000000 pairs would need 25088.0 GB"},
		{"hidden", func(c *Config) { c.Hidden = []int{64, 0} }, "--hidden widths must be > 0, got [64 0]"},
		{"margin", func(c *Config) { c.Margin = "sphereface" }, `unknown head "sphereface"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := smallConfig(t)
			c.set(&cfg)
			_, err := Run(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
	// Softmax has no scale: 0 is fine there.
	cfg := smallConfig(t)
	cfg.Margin, cfg.MarginS, cfg.LR = "softmax", 0, 0.01
	if err := cfg.validate(); err != nil {
		t.Errorf("softmax with --margin-s 0: %v", err)
	}
}

// --workers beyond the cores is clamped, and said.
func TestWorkersClamped(t *testing.T) {
	var out bytes.Buffer
	cfg := smallConfig(t)
	cfg.Workers, cfg.Output = 100000, &out
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "evalkit: --workers 100000 is more than the") {
		t.Errorf("no clamping message:\n%s", out.String())
	}
}

// Issue 8 item 13: temporary files a killed run left are removed when the
// next run starts in the directory; other files are kept.
func TestStaleTempFilesRemoved(t *testing.T) {
	var out bytes.Buffer
	cfg := smallConfig(t)
	cfg.Output = &out
	stale := []string{".checkpoint.npz.tmp123456", ".curves.png.tmp42"}
	keep := []string{".checkpoint.npz.tmpx", "checkpoint.npz.tmp1", ".notes.tmp1", ".checkpoint.npz.tmp"}
	for _, n := range slices.Concat(stale, keep) {
		if err := os.WriteFile(filepath.Join(cfg.Out, n), []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(cfg.Out, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s not removed: %v", n, err)
		}
		if !strings.Contains(out.String(), "evalkit: removed "+n+", a temporary file left by an interrupted run") {
			t.Errorf("removal of %s not said", n)
		}
	}
	for _, n := range keep {
		if _, err := os.Stat(filepath.Join(cfg.Out, n)); err != nil {
			t.Errorf("%s removed: %v", n, err)
		}
	}
}

// record collects events.
type record struct{ events []events.Event }

func (r *record) Emit(e events.Event) error { r.events = append(r.events, e); return nil }

// Issue 8 item 16: on resume, flags that may change are applied and said;
// flags contradicting the checkpoint are refused, naming flag and value.
func TestResumeFlags(t *testing.T) {
	first := smallConfig(t)
	if _, err := Run(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	ck := filepath.Join(first.Out, CheckpointFile)
	resume := func(flags []string, set func(*Config)) (string, *record, error) {
		c := DefaultConfig() // defaults, not the first run's settings
		var out bytes.Buffer
		rec := &record{}
		c.Out, c.Resume, c.Epochs, c.Output, c.Sinks, c.Given = t.TempDir(), ck, 2, &out, []events.Sink{rec}, given(append(flags, "epochs")...)
		set(&c)
		_, err := Run(context.Background(), c)
		return out.String(), rec, err
	}
	for _, c := range []struct {
		name  string
		flags []string
		set   func(*Config)
		want  string
	}{
		{"hidden", []string{"hidden"}, func(c *Config) { c.Hidden = []int{64} }, "--hidden [64] contradicts the checkpoint's [32]"},
		{"emb-size", []string{"emb-size"}, func(c *Config) { c.EmbSize = 128 }, "--emb-size 128 contradicts the checkpoint's 16"},
		{"margin", []string{"margin"}, func(c *Config) { c.Margin = "cosface" }, "--margin cosface contradicts the checkpoint's arcface"},
		{"margin-s", []string{"margin-s", "margin-m"}, func(c *Config) { c.MarginS, c.MarginM = 64, 0.5 },
			"--margin-s 64 contradicts the checkpoint's 16; --margin-m 0.5 contradicts the checkpoint's 0.3"},
		{"batch-size", []string{"batch-size"}, func(c *Config) { c.BatchSize = 64 }, "--batch-size 64 contradicts the checkpoint's 100"},
		{"seed", []string{"seed"}, func(c *Config) { c.Seed = 7 }, "--seed 7 contradicts the checkpoint's 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := resume(c.flags, c.set)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "only [epochs lr lr-steps") {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
	t.Run("same values", func(t *testing.T) {
		if _, _, err := resume([]string{"hidden", "emb-size", "margin"}, func(c *Config) { c.Hidden, c.EmbSize, c.Margin = []int{32}, 16, "ArcFace" }); err != nil {
			t.Error(err)
		}
	})
	t.Run("lr applied", func(t *testing.T) {
		out, rec, err := resume([]string{"lr", "frequent"}, func(c *Config) { c.LR, c.Frequent = 0.05, 10 })
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"evalkit: resuming with --lr 0.05 (the checkpoint's learning rate was 0.0010000000000000002)", // cut twice in epoch 0
			"evalkit: resuming with --frequent 10 (the checkpoint's run had 20)",
			"INFO:root:Epoch[1] Batch [10-20]",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if lr, ok := rec.events[1].(events.LearningRate); !ok || lr.Rate != 0.05 || lr.Step != 50 {
			t.Errorf("first learning-rate event %+v", rec.events[1])
		}
	})
}

// cancelOn cancels the run at the first event matching.
type cancelOn struct {
	cancel context.CancelFunc
	match  func(events.Event) bool
}

func (c cancelOn) Emit(e events.Event) error {
	if c.match(e) {
		c.cancel()
	}
	return nil
}

// Issue 8 item 17: Ctrl-C during the last epoch's validation or during
// the final verification; the resume finishes the run: the validation, the
// final verification and the summary, with the figures of an uninterrupted
// run.
func TestResumeFinishesRun(t *testing.T) {
	whole := smallConfig(t)
	whole.Epochs = 2
	want, err := Run(context.Background(), whole)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		match func(events.Event) bool
		lines []string // the resume's output has these lines
	}{
		{"validation", func(e events.Event) bool { ee, ok := e.(events.EpochEnd); return ok && ee.Epoch == 1 },
			[]string{"INFO:root:Epoch[1] Validation-acc=", "evalkit: validation accuracy"}},
		{"final verification", func(e events.Event) bool { v, ok := e.(events.Validation); return ok && v.Epoch == 1 },
			[]string{"evalkit: validation accuracy"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := smallConfig(t)
			cfg.Epochs = 2
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg.Sinks = []events.Sink{cancelOn{cancel, c.match}}
			_, err := Run(ctx, cfg)
			var ie *fit.InterruptedError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), "continue with: evalkit train --resume") {
				t.Fatalf("err = %v", err)
			}
			var out bytes.Buffer
			cfg.Sinks, cfg.Resume, cfg.Output, cfg.Given = nil, filepath.Join(cfg.Out, CheckpointFile), &out, nil
			got, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			for _, l := range c.lines {
				if !strings.Contains(out.String(), "\n"+l) {
					t.Errorf("resume output lacks %q:\n%s", l, out.String())
				}
			}
			if strings.Contains(out.String(), "Epoch[1] Train-") {
				t.Errorf("the resume trained again:\n%s", out.String())
			}
			if got.ValAcc != want.ValAcc || got.VerifyAcc != want.VerifyAcc || got.AUC != want.AUC {
				t.Errorf("resumed %+v, uninterrupted %+v", got, want)
			}
			// Now the run is finished: nothing is left to do.
			if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "leaves nothing to train") {
				t.Errorf("resuming a finished run: %v", err)
			}
		})
	}
}

// --tensorboard writes one event file whose scalars carry arcface_torch's
// tag names and ours.
func TestTensorBoard(t *testing.T) {
	cfg := smallConfig(t)
	cfg.TensorBoard = filepath.Join(cfg.Out, "tb")
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(cfg.TensorBoard, "events.out.tfevents.*"))
	if err != nil || len(files) != 1 {
		t.Fatalf("event files %v, %v", files, err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	var all []byte
	for {
		rec, err := tensorboard.ReadRecord(f)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		all = append(all, rec...)
	}
	for _, tag := range []string{"brain.Event:2", "loss", "learning_rate", "time_for_end", "speed", "train/acc", "fashion", "fashion/xnorm", "fashion/auc", "validation/acc", "epoch/time_cost"} {
		if !bytes.Contains(all, []byte(tag)) {
			t.Errorf("no %q in the event file", tag)
		}
	}
	if n < 5 {
		t.Errorf("%d records", n)
	}
}
