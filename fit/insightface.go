package fit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/nd"
)

// ErrStop ends Fit cleanly when a batch-end callback returns it (possibly
// wrapped): Fit stops right after that callback; the remaining callbacks of the batch and the
// epoch's end do not run and Fit returns nil. It is insightface's
// sys.exit(0) after max_steps.
var ErrStop = errors.New("fit: stop requested by a callback")

// InsightfaceCallback is insightface's training batch callback
// (train_softmax.py _batch_callback; arcface_mxnet/train.py), as a
// BatchEndCallback. On every batch:
//
//	global step += 1 (1-based, never reset across epochs)
//	if step == BetaFreeze + s for an s in LRSteps: lr *= 0.1, print "lr change to <lr>"
//	Speedometer
//	every 1000 steps: print "lr-batch-epoch: <lr> <nbatch> <epoch>"
//	every Verbose steps: verification on every target, printing
//	    [name][step]XNorm: %f and [name][step]Accuracy-Flip: %1.5f+-%1.5f,
//	    highest-accuracy tracking on the LAST target (ties broken by the sum
//	    over targets, whose stored value is updated only on ties), checkpoint
//	    per Ckpt, then "[step]Accuracy-Highest: %1.5f"
//	if MaxSteps > 0 and step > MaxSteps: stop (ErrStop)
//
// Ckpt: 0 never saves; 1 saves when highest (insightface's default); 2 saves
// at every verification; 3 saves when highest, always as checkpoint number
// 1 (arcface_mxnet's default). The checkpoint number is the count of
// verifications so far, not the epoch. Lines insightface prints are logged
// with the PrintAttr mark (bare in plain logs); "Saved checkpoint" goes
// through logging as in MXNet.
type InsightfaceCallback struct {
	// Speedometer is called on every batch; nil skips it.
	Speedometer *Speedometer
	// Verbose is the verification period in global steps (default 2000).
	Verbose int
	// Targets are the loaded verification sets, in order; the last one
	// decides "highest".
	Targets []VerifyTarget
	// Ckpt is the checkpoint mode 0–3.
	Ckpt int
	// Prefix is the checkpoint prefix: files Prefix-%04d.params.
	Prefix string
	// LRSteps are the global steps after which the learning rate is
	// multiplied by 0.1 (see InsightfaceLRSteps); BetaFreeze offsets them.
	LRSteps    []int
	BetaFreeze int
	// MaxSteps stops training after this many steps (0: never).
	MaxSteps int
	// ShowAccuracy also prints "[name][step]Accuracy: %1.5f+-%1.5f", the
	// line insightface's trainer has commented out.
	ShowAccuracy bool
	// KeepParam filters the parameters saved (nil keeps all);
	// arcface_mxnet's ckpt_embedding drops names starting with "fc7":
	// func(n string) bool { return !strings.HasPrefix(n, "fc7") }.
	KeepParam func(name string) bool
	// Logger receives the lines; nil means the run's logger
	// (BatchEndParam.Logger), else DefaultLogger.
	Logger *slog.Logger

	globalStep int
	saveStep   int
	highest    [2]float64 // [sum, last target]
	accs       []float64
}

// NewInsightfaceCallback returns the callback with insightface's defaults:
// Speedometer(batchSize, frequent) with auto reset, Verbose 2000, Ckpt 1.
func NewInsightfaceCallback(batchSize, frequent int, prefix string, targets []VerifyTarget) *InsightfaceCallback {
	return &InsightfaceCallback{
		Speedometer: NewSpeedometer(batchSize, frequent),
		Verbose:     2000,
		Targets:     targets,
		Ckpt:        1,
		Prefix:      prefix,
	}
}

// InsightfaceLRSteps returns train_softmax.py's default schedule when
// lrSteps is empty: [40000, 60000, 80000], or [100000, 140000, 160000] for
// margin losses (1 ≤ lossType ≤ 7), each scaled to int(step·512/batchSize);
// otherwise the given steps verbatim.
func InsightfaceLRSteps(lrSteps []int, lossType, batchSize int) []int {
	if len(lrSteps) > 0 {
		return append([]int(nil), lrSteps...)
	}
	base := []int{40000, 60000, 80000}
	if lossType >= 1 && lossType <= 7 {
		base = []int{100000, 140000, 160000}
	}
	out := make([]int, len(base))
	for i, s := range base {
		out[i] = int(float64(s) * 512.0 / float64(batchSize))
	}
	return out
}

// GlobalStep returns the number of batches seen.
func (cb *InsightfaceCallback) GlobalStep() int { return cb.globalStep }

// Highest returns the highest last-target accuracy and the stored sum.
func (cb *InsightfaceCallback) Highest() (last, sum float64) { return cb.highest[1], cb.highest[0] }

func (cb *InsightfaceCallback) print(p BatchEndParam, msg string) {
	p.log(cb.Logger).LogAttrs(context.Background(), slog.LevelInfo, msg, printAttr)
}

// BatchEnd is the callback.
func (cb *InsightfaceCallback) BatchEnd(p BatchEndParam) error {
	cb.globalStep++
	mbatch := cb.globalStep
	for _, s := range cb.LRSteps {
		if mbatch == cb.BetaFreeze+s {
			if p.Optimizer == nil {
				return errors.New("fit: insightface callback: no optimizer to change the learning rate of")
			}
			p.Optimizer.SetLearningRate(p.Optimizer.LearningRate() * 0.1)
			cb.print(p, "lr change to "+PyRepr(p.Optimizer.LearningRate()))
			if p.Events != nil {
				if err := p.Events.Emit(events.LearningRate{Position: p.position(nil), Rate: p.Optimizer.LearningRate()}); err != nil {
					return err
				}
			}
			break
		}
	}
	if cb.Speedometer != nil {
		if err := cb.Speedometer.BatchEnd(p); err != nil {
			return err
		}
	}
	if mbatch%1000 == 0 && p.Optimizer != nil {
		cb.print(p, fmt.Sprintf("lr-batch-epoch: %s %d %d", PyRepr(p.Optimizer.LearningRate()), p.NBatch, p.Epoch))
	}
	verbose := cb.Verbose
	if verbose <= 0 {
		verbose = 2000
	}
	if mbatch >= 0 && mbatch%verbose == 0 {
		if err := cb.verifyAndSave(p, mbatch); err != nil {
			return err
		}
	}
	if cb.MaxSteps > 0 && mbatch > cb.MaxSteps {
		return ErrStop
	}
	return nil
}

// verifyAndSave runs ver_test, the highest-accuracy rule and the checkpoint.
func (cb *InsightfaceCallback) verifyAndSave(p BatchEndParam, mbatch int) error {
	cb.accs = cb.accs[:0]
	for _, t := range cb.Targets {
		if t.Verifier == nil {
			return fmt.Errorf("fit: verification target %q has no verifier", t.Name)
		}
		r, err := t.Verifier.Verify(p.Ctx(), p.Module)
		if err != nil {
			return fmt.Errorf("fit: verification on %s at step %d: %w", t.Name, mbatch, err)
		}
		cb.print(p, fmt.Sprintf("[%s][%d]XNorm: %s", t.Name, mbatch, PyFloat(r.XNorm, 6)))
		if cb.ShowAccuracy {
			cb.print(p, fmt.Sprintf("[%s][%d]Accuracy: %s+-%s", t.Name, mbatch, PyFloat(r.Acc1, 5), PyFloat(r.Std1, 5)))
		}
		cb.print(p, fmt.Sprintf("[%s][%d]Accuracy-Flip: %s+-%s", t.Name, mbatch, PyFloat(r.Acc2, 5), PyFloat(r.Std2, 5)))
		if err := emitVerification(p, t.Name, mbatch, r); err != nil {
			return err
		}
		cb.accs = append(cb.accs, r.Acc2)
	}
	cb.saveStep++
	msave := cb.saveStep
	isHighest := cb.track(cb.accs)
	doSave := isHighest
	switch cb.Ckpt {
	case 0:
		doSave = false
	case 2:
		doSave = true
	case 3:
		msave = 1
	}
	if doSave {
		cb.print(p, "saving "+strconv.Itoa(msave))
		if p.Module == nil {
			return errors.New("fit: insightface callback: no module to checkpoint")
		}
		arg, aux := p.Module.Params()
		if cb.KeepParam != nil {
			arg, aux = filterParams(arg, cb.KeepParam), filterParams(aux, cb.KeepParam)
		}
		if err := SaveEpochCheckpoint(p.log(cb.Logger), cb.Prefix, msave, arg, aux, p.Optimizer, false, false); err != nil {
			return err
		}
		if p.Events != nil {
			if err := p.Events.Emit(events.Checkpoint{Position: p.position(nil), Path: ParamsPath(cb.Prefix, msave)}); err != nil {
				return err
			}
		}
	}
	cb.print(p, fmt.Sprintf("[%d]Accuracy-Highest: %s", mbatch, PyFloat(cb.highest[1], 5)))
	return nil
}

// track applies insightface's highest-accuracy rule to one verification's
// accuracies and reports whether it is a new highest.
func (cb *InsightfaceCallback) track(accs []float64) bool {
	if len(accs) == 0 {
		return false
	}
	score := 0.0
	for _, a := range accs {
		score += a
	}
	last := accs[len(accs)-1]
	isHighest := false
	if last >= cb.highest[1] {
		if last > cb.highest[1] {
			isHighest = true
		} else if score >= cb.highest[0] {
			isHighest = true
			cb.highest[0] = score
		}
		cb.highest[1] = last
	}
	return isHighest
}

func filterParams(m map[string]*nd.Array, keep func(string) bool) map[string]*nd.Array {
	out := make(map[string]*nd.Array, len(m))
	for k, v := range m {
		if keep(k) {
			out[k] = v
		}
	}
	return out
}

type insightfaceState struct {
	GlobalStep int             `json:"global_step"`
	SaveStep   int             `json:"save_step"`
	Highest    [2]float64      `json:"highest_acc"`
	Speed      json.RawMessage `json:"speedometer,omitempty"`
}

// StateKey returns "insightface".
func (cb *InsightfaceCallback) StateKey() string { return "insightface" }

// MarshalState exports the step counters, highest accuracies and the
// Speedometer's state.
func (cb *InsightfaceCallback) MarshalState() (json.RawMessage, error) {
	st := insightfaceState{GlobalStep: cb.globalStep, SaveStep: cb.saveStep, Highest: cb.highest}
	if cb.Speedometer != nil {
		raw, err := cb.Speedometer.MarshalState()
		if err != nil {
			return nil, err
		}
		st.Speed = raw
	}
	return json.Marshal(st)
}

// RestoreState restores what MarshalState exported.
func (cb *InsightfaceCallback) RestoreState(raw json.RawMessage) error {
	var st insightfaceState
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("insightface callback state: %w", err)
	}
	if st.GlobalStep < 0 || st.SaveStep < 0 {
		return errors.New("insightface callback state: negative step")
	}
	cb.globalStep, cb.saveStep, cb.highest = st.GlobalStep, st.SaveStep, st.Highest
	if cb.Speedometer != nil && st.Speed != nil {
		return cb.Speedometer.RestoreState(st.Speed)
	}
	return nil
}

// emitVerification sends target's result at step to the run's sinks.
func emitVerification(p BatchEndParam, target string, step int, r VerifyResult) error {
	if p.Events == nil {
		return nil
	}
	pos := p.position(nil)
	pos.Step = step
	return p.Events.Emit(events.Verification{Position: pos, Target: target, Accuracy: r.Acc2, Std: r.Std2, XNorm: r.XNorm, Extra: r.Extra})
}
