package train

import (
	"errors"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
	"github.com/evalkit/evalkit/verify"
)

// newVerifier is insightface's verification.test over the held-out pairs:
// fit.PairSetVerifier embeds the images and their mirrors, verify runs the
// 10-fold protocol; the result carries the AUC of the pair scores.
func newVerifier(p *dataset.ImagePairs, batch int) (*fit.PairSetVerifier, error) {
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
	return &fit.PairSetVerifier{Images: img, Flipped: flip, IsSame: p.Issame, BatchSize: batch, Evaluate: evaluate(nil)}, nil
}

// evaluate returns the protocol's EvaluateFunc; keep, when set, receives
// the full result and the ROC of the pair scores.
func evaluate(keep func(*verify.Result, *verify.ROC)) fit.EvaluateFunc {
	return func(emb, flip *nd.Array, issame []bool) (fit.VerifyResult, error) {
		r, err := verify.EvaluateEmbeddings(emb, flip, issame, verify.Options{})
		if err != nil {
			return fit.VerifyResult{}, err
		}
		scores, _, err := verify.PairScores(emb, flip, verify.Cosine)
		if err != nil {
			return fit.VerifyResult{}, err
		}
		roc, err := verify.NewROC(scores, issame)
		if err != nil {
			return fit.VerifyResult{}, err
		}
		if keep != nil {
			keep(r, roc)
		}
		return fit.VerifyResult{Acc2: r.Accuracy, Std2: r.AccuracyStd, XNorm: r.XNorm, Extra: []metric.NameValue{
			{Name: "auc", Value: roc.AUC()}, {Name: "val", Value: r.VAL}, {Name: "far", Value: r.FAR},
		}}, nil
	}
}

// finalVerification is the train-end callback: the verification whose
// result and ROC the summary and the curves show.
type finalVerification struct {
	ver    *fit.PairSetVerifier
	issame []bool
	result *verify.Result
	roc    *verify.ROC
}

// BatchEnd runs the verification and emits its event.
func (f *finalVerification) BatchEnd(p fit.BatchEndParam) error {
	v := *f.ver
	v.Evaluate = evaluate(func(r *verify.Result, roc *verify.ROC) { f.result, f.roc = r, roc })
	r, err := v.Verify(p.Ctx(), p.Module)
	if err != nil {
		return err
	}
	if f.roc == nil {
		return errors.New("train: final verification gave no ROC")
	}
	if p.Events == nil {
		return nil
	}
	now := p.Now()
	return p.Events.Emit(events.Verification{Position: events.Position{Time: now, Epoch: p.Epoch, Batch: p.NBatch, Step: p.Step},
		Target: VerifyTarget, Accuracy: r.Acc2, Std: r.Std2, XNorm: r.XNorm, Extra: r.Extra})
}
