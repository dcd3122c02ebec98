package fit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/evalkit/evalkit/metric"
	"github.com/evalkit/evalkit/nd"
)

// VerifyResult is one verification target's outcome, the values
// insightface's verification.test returns: acc1, std1 (the non-flip
// accuracy, always 0 in insightface since its computation is disabled),
// acc2, std2 (the "Accuracy-Flip": mean and population std over folds) and
// xnorm (the mean raw embedding norm).
type VerifyResult struct {
	Acc1, Std1 float64
	Acc2, Std2 float64
	XNorm      float64
	// Extra holds further figures the verifier computed (e.g. auc),
	// carried by events.Verification to the run's sinks.
	Extra []metric.NameValue
}

// Verifier evaluates a module on one verification set (a .bin file's pairs),
// insightface's verification.test. The verify package provides the protocol;
// PairSetVerifier joins it to a module.
type Verifier interface {
	Verify(ctx context.Context, mod Module) (VerifyResult, error)
}

// VerifierFunc adapts a function to Verifier.
type VerifierFunc func(ctx context.Context, mod Module) (VerifyResult, error)

// Verify calls f(ctx, mod).
func (f VerifierFunc) Verify(ctx context.Context, mod Module) (VerifyResult, error) {
	return f(ctx, mod)
}

// VerifyTarget is a named verification set, e.g. "lfw".
type VerifyTarget struct {
	Name     string
	Verifier Verifier
}

// EvaluateFunc turns the embeddings of a pair set (rows 2i and 2i+1 form
// pair i) and of its mirrored images into a result; wire it to
// verify.EvaluateEmbeddings:
//
//	func(emb, flip *nd.Array, issame []bool) (fit.VerifyResult, error) {
//		r, err := verify.EvaluateEmbeddings(emb, flip, issame, verify.Options{})
//		if err != nil {
//			return fit.VerifyResult{}, err
//		}
//		return fit.VerifyResult{Acc2: r.Accuracy, Std2: r.AccuracyStd, XNorm: r.XNorm}, nil
//	}
type EvaluateFunc func(emb, flip *nd.Array, issame []bool) (VerifyResult, error)

// PairSetVerifier runs a module over a pair set's images and their mirrors
// and evaluates the embeddings, insightface's verification.test:
// the images go through the network in windows of BatchSize rows in
// inference mode; the last window is the last BatchSize rows (it overlaps
// the previous one) and only its new rows are kept, so at least BatchSize
// images are needed. The embedding is output Output (default 0, insightface's
// fc1).
type PairSetVerifier struct {
	// Images holds the 2P images, (2P, C, H, W); Flipped their mirrors
	// (nil: evaluate without flip).
	Images, Flipped *nd.Array
	// IsSame labels the P pairs.
	IsSame []bool
	// BatchSize is the window size (insightface: the training batch size;
	// arcface_torch: 10).
	BatchSize int
	// Output is the index of the embedding output.
	Output int
	// Evaluate runs the protocol.
	Evaluate EvaluateFunc
	// Logger, when set, receives the lines insightface's
	// verification.test prints: "testing verification..", the shape of
	// the embedding matrix, e.g. "(12000, 512)", and "infer time <s>".
	Logger *slog.Logger
	// Now is the clock of "infer time"; nil means time.Now.
	Now func() time.Time
}

// Verify embeds the images and evaluates them.
func (v *PairSetVerifier) Verify(ctx context.Context, mod Module) (VerifyResult, error) {
	if v.Evaluate == nil {
		return VerifyResult{}, fmt.Errorf("fit: PairSetVerifier has no Evaluate function")
	}
	now := v.Now
	if now == nil {
		now = time.Now
	}
	print := func(msg string) {
		if v.Logger != nil {
			v.Logger.LogAttrs(ctx, slog.LevelInfo, msg, printAttr)
		}
	}
	print("testing verification..")
	t0 := now()
	emb, err := Embed(ctx, mod, v.Images, v.BatchSize, v.Output)
	if err != nil {
		return VerifyResult{}, err
	}
	var flip *nd.Array
	if v.Flipped != nil {
		if flip, err = Embed(ctx, mod, v.Flipped, v.BatchSize, v.Output); err != nil {
			return VerifyResult{}, err
		}
	}
	infer := now().Sub(t0).Seconds()
	print(nd.ShapeString(emb.Shape()))
	print("infer time " + PyRepr(infer))
	return v.Evaluate(emb, flip, v.IsSame)
}

// Embed runs mod over images (N rows along axis 0) in inference mode in
// insightface's windows of batchSize rows (see PairSetVerifier) and returns
// output number output as an (N, D) float32 array. Each window's label is a
// zero vector of batchSize entries, as insightface feeds ones to a network
// whose labels do not matter in inference. Cancelling ctx stops between
// windows.
func Embed(ctx context.Context, mod Module, images *nd.Array, batchSize, output int) (*nd.Array, error) {
	if images == nil || images.NDim() == 0 {
		return nil, fmt.Errorf("fit: embed: no images")
	}
	n := images.Len()
	if batchSize <= 0 {
		return nil, fmt.Errorf("fit: embed: batch size %d; want a positive number", batchSize)
	}
	if n < batchSize {
		return nil, fmt.Errorf("fit: embed: %d images are fewer than the batch size %d (insightface's windows need at least one full batch)", n, batchSize)
	}
	label, err := nd.FromFloat32(make([]float32, batchSize), batchSize)
	if err != nil {
		return nil, err
	}
	var out []float32
	dim := -1
	batch := &DataBatch{Label: []*nd.Array{label}}
	for ba := 0; ba < n; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		bb := min(ba+batchSize, n)
		count := bb - ba
		win, err := images.Slice(bb-batchSize, bb)
		if err != nil {
			return nil, err
		}
		batch.Data = append(batch.Data[:0], win)
		if err := mod.Forward(batch, false); err != nil {
			return nil, fmt.Errorf("fit: embed: rows %d-%d: %w", bb-batchSize, bb, err)
		}
		outs := mod.Outputs()
		if output < 0 || output >= len(outs) || outs[output] == nil {
			return nil, fmt.Errorf("fit: embed: the module has %d outputs, no output %d", len(outs), output)
		}
		o := outs[output]
		if o.NDim() != 2 || o.Dim(0) != batchSize {
			return nil, fmt.Errorf("fit: embed: output %d is %s; want (%d, D)", output, o, batchSize)
		}
		if dim < 0 {
			dim = o.Dim(1)
			out = make([]float32, n*dim)
		} else if o.Dim(1) != dim {
			return nil, fmt.Errorf("fit: embed: output %d changed width from %d to %d", output, dim, o.Dim(1))
		}
		for r := batchSize - count; r < batchSize; r++ {
			row := out[(ba+r-(batchSize-count))*dim:][:dim]
			for j := range row {
				row[j] = float32(o.Float(r*dim + j))
			}
		}
		ba = bb
	}
	return nd.FromFloat32(out, n, dim)
}
