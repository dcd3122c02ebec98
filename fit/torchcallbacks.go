package fit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"
)

// AverageMeter is arcface_torch's AverageMeter: the running mean of the
// values given since the last Reset.
type AverageMeter struct {
	Val, Avg, Sum, Count float64
}

// Update adds val with weight n.
func (m *AverageMeter) Update(val float64, n int) {
	m.Val = val
	m.Sum += val * float64(n)
	m.Count += float64(n)
	m.Avg = m.Sum / m.Count
}

// Reset zeroes the meter.
func (m *AverageMeter) Reset() { *m = AverageMeter{} }

// CallBackVerification is arcface_torch's CallBackVerification (spec
// arcface_torch's utils/utils_callbacks.py): verification on every target, logging
//
//	[name][step]XNorm: %f
//	[name][step]Accuracy-Flip: %1.5f+-%1.5f
//	[name][step]Accuracy-Highest: %1.5f
//
// with the highest accuracy kept per target (strictly greater replaces it),
// unlike MXNet insightface's last-target rule. It does not checkpoint.
// Call it from a training loop with the global step, or use it as a
// BatchEndCallback, which counts global steps and verifies when
// step % Frequent == 0 (train_v2.py's condition, cfg.verbose = 2000).
type CallBackVerification struct {
	Targets []VerifyTarget
	// Frequent is the verification period of BatchEnd (default 2000).
	Frequent int
	// Scalar, when set, receives (target name, Accuracy-Flip, step) as
	// summary_writer.add_scalar does.
	Scalar func(tag string, value float64, step int)
	// Logger receives the lines; nil means DefaultLogger.
	Logger *slog.Logger

	highest []float64
	step    int
}

// NewCallBackVerification returns the callback for targets.
func NewCallBackVerification(targets []VerifyTarget, frequent int) *CallBackVerification {
	return &CallBackVerification{Targets: targets, Frequent: frequent}
}

// Highest returns the highest Accuracy-Flip per target so far.
func (c *CallBackVerification) Highest() []float64 { return append([]float64(nil), c.highest...) }

// Call is __call__(num_update, backbone): it verifies when numUpdate > 0.
func (c *CallBackVerification) Call(ctx context.Context, numUpdate int, mod Module) error {
	return c.call(BatchEndParam{Context: ctx, Step: numUpdate, Module: mod}, numUpdate)
}

func (c *CallBackVerification) call(p BatchEndParam, numUpdate int) error {
	ctx, mod := p.Ctx(), p.Module
	if numUpdate <= 0 {
		return nil
	}
	if len(c.highest) != len(c.Targets) {
		c.highest = append(c.highest, make([]float64, len(c.Targets)-len(c.highest))...)
	}
	log := p.log(c.Logger)
	info := func(msg string) { log.LogAttrs(ctx, slog.LevelInfo, msg) }
	for i, t := range c.Targets {
		if t.Verifier == nil {
			return fmt.Errorf("fit: verification target %q has no verifier", t.Name)
		}
		r, err := t.Verifier.Verify(ctx, mod)
		if err != nil {
			return fmt.Errorf("fit: verification on %s at step %d: %w", t.Name, numUpdate, err)
		}
		info(fmt.Sprintf("[%s][%d]XNorm: %s", t.Name, numUpdate, PyFloat(r.XNorm, 6)))
		info(fmt.Sprintf("[%s][%d]Accuracy-Flip: %s+-%s", t.Name, numUpdate, PyFloat(r.Acc2, 5), PyFloat(r.Std2, 5)))
		if c.Scalar != nil {
			c.Scalar(t.Name, r.Acc2, numUpdate)
		}
		if err := emitVerification(p, t.Name, numUpdate, r); err != nil {
			return err
		}
		if r.Acc2 > c.highest[i] {
			c.highest[i] = r.Acc2
		}
		info(fmt.Sprintf("[%s][%d]Accuracy-Highest: %s", t.Name, numUpdate, PyFloat(c.highest[i], 5)))
	}
	return nil
}

// BatchEnd counts global steps and calls Call every Frequent steps.
func (c *CallBackVerification) BatchEnd(p BatchEndParam) error {
	c.step++
	f := c.Frequent
	if f <= 0 {
		f = 2000
	}
	if c.step%f == 0 && c.step > 0 {
		return c.call(p, c.step)
	}
	return nil
}

// StateKey returns "callback_verification".
func (c *CallBackVerification) StateKey() string { return "callback_verification" }

// MarshalState exports the step and per-target highest accuracies.
func (c *CallBackVerification) MarshalState() (json.RawMessage, error) {
	return json.Marshal(struct {
		Step    int       `json:"step"`
		Highest []float64 `json:"highest"`
	}{c.step, c.highest})
}

// RestoreState restores what MarshalState exported.
func (c *CallBackVerification) RestoreState(raw json.RawMessage) error {
	var st struct {
		Step    int       `json:"step"`
		Highest []float64 `json:"highest"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("verification callback state: %w", err)
	}
	if st.Step < 0 {
		return errors.New("verification callback state: negative step")
	}
	c.step, c.highest = st.Step, st.Highest
	return nil
}

// CallBackLogging is arcface_torch's CallBackLogging (HEAD; spec
// arcface_torch's utils/utils_callbacks.py). Every Frequent global steps (step > 0) it logs
//
//	Speed %.2f samples/sec   Loss %.4f   LearningRate %.6f   Epoch: %d   Global Step: %d   Required: %1.f hours
//
// (with "   Fp16 Grad Scale: %2.f" before "Required" in fp16) and resets the
// loss meter; the first trigger only starts the clock (and does not reset
// the meter), so the first line comes at step 2·Frequent and averages steps
// 1..2·Frequent. Speed is Frequent·BatchSize/elapsed·WorldSize (BatchSize
// per GPU); Required is the ETA in hours from the mean time per step since
// construction. Log it through a PlainHandler with PlainOptions.Torch for
// the "Training: <asctime>-" prefix.
type CallBackLogging struct {
	Frequent, TotalStep, BatchSize, StartStep int
	// WorldSize is the number of processes (default 1).
	WorldSize int
	// Scalar, when set, receives time_for_end, learning_rate and loss.
	Scalar func(tag string, value float64, step int)
	// Logger receives the lines; nil means DefaultLogger.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// For BatchEnd: the loss meter, the index of the scalar loss output
	// (default -1, the last), fp16 mode and its grad scale.
	Loss       AverageMeter
	LossOutput int
	FP16       bool
	GradScale  float64

	timeStart time.Time
	init      bool
	tic       time.Time
	step      int
}

// NewCallBackLogging returns CallBackLogging(frequent, total_step,
// batch_size, start_step), starting its clock now (now nil: time.Now).
func NewCallBackLogging(frequent, totalStep, batchSize, startStep int, now func() time.Time) *CallBackLogging {
	c := &CallBackLogging{Frequent: frequent, TotalStep: totalStep, BatchSize: batchSize, StartStep: startStep,
		WorldSize: 1, Now: now, LossOutput: -1}
	c.timeStart = c.now()
	return c
}

func (c *CallBackLogging) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Log is __call__(global_step, loss, epoch, fp16, learning_rate,
// grad_scaler.get_scale()).
func (c *CallBackLogging) Log(globalStep int, loss *AverageMeter, epoch int, fp16 bool, lr, gradScale float64) error {
	if c.Frequent <= 0 {
		return fmt.Errorf("fit: CallBackLogging frequent is %d; want a positive number", c.Frequent)
	}
	if !(globalStep > 0 && globalStep%c.Frequent == 0) {
		return nil
	}
	if !c.init {
		c.init = true
		c.tic = c.now()
		return nil
	}
	now := c.now()
	ws := c.WorldSize
	if ws <= 0 {
		ws = 1
	}
	speed := float64(c.Frequent*c.BatchSize) / now.Sub(c.tic).Seconds() * float64(ws)
	timeSec := math.Trunc(now.Sub(c.timeStart).Seconds())
	timeSecAvg := timeSec / float64(globalStep-c.StartStep+1)
	etaHours := timeSecAvg * float64(c.TotalStep-globalStep-1) / 3600
	if c.Scalar != nil {
		c.Scalar("time_for_end", etaHours, globalStep)
		c.Scalar("learning_rate", lr, globalStep)
		c.Scalar("loss", loss.Avg, globalStep)
	}
	msg := "Speed " + PyFloat(speed, 2) + " samples/sec   Loss " + PyFloat(loss.Avg, 4) +
		"   LearningRate " + PyFloat(lr, 6) + fmt.Sprintf("   Epoch: %d   Global Step: %d", epoch, globalStep)
	if fp16 {
		msg += "   Fp16 Grad Scale: " + pyWidth(PyFloat(gradScale, 0), 2)
	}
	msg += "   Required: " + PyFloat(etaHours, 0) + " hours"
	orDefault(c.Logger).LogAttrs(context.Background(), slog.LevelInfo, msg,
		floatAttr("speed", speed), floatAttr("loss", loss.Avg), floatAttr("learning_rate", lr),
		slog.Int("epoch", epoch), slog.Int("global_step", globalStep), floatAttr("required_hours", etaHours))
	loss.Reset()
	c.tic = c.now()
	return nil
}

// pyWidth right-aligns s in width columns, as "%2.f" does.
func pyWidth(s string, width int) string {
	for len(s) < width {
		s = " " + s
	}
	return s
}

// BatchEnd counts global steps, adds the scalar loss output to Loss and
// calls Log with the optimizer's learning rate.
func (c *CallBackLogging) BatchEnd(p BatchEndParam) error {
	c.step++
	if p.Module != nil {
		outs := p.Module.Outputs()
		i := c.LossOutput
		if i < 0 {
			i += len(outs)
		}
		if i >= 0 && i < len(outs) && outs[i] != nil && outs[i].Size() > 0 {
			c.Loss.Update(outs[i].Float(0), 1)
		}
	}
	lr := 0.0
	if p.Optimizer != nil {
		lr = p.Optimizer.LearningRate()
	}
	return c.Log(c.step, &c.Loss, p.Epoch, c.FP16, lr, c.GradScale)
}
