package model

import (
	"fmt"
	"math"
	"runtime"
	"strings"
)

// HeadKind selects the classification head and its margin.
type HeadKind int

const (
	// Softmax is a plain fully connected layer with bias over the
	// un-normalised embedding (insightface loss_type 0).
	Softmax HeadKind = iota
	// CosFace is the normalised-weight cosine head with an additive cosine
	// margin: target logit s·(cos θ − m) (insightface loss_type 2).
	CosFace
	// ArcFace is the normalised-weight cosine head with an additive angular
	// margin: target logit s·cos(θ + m) (insightface loss_type 4).
	ArcFace
)

var headNames = [...]string{Softmax: "softmax", CosFace: "cosface", ArcFace: "arcface"}

// String returns the head's command-line name ("softmax", "cosface", "arcface").
func (k HeadKind) String() string {
	if k >= 0 && int(k) < len(headNames) {
		return headNames[k]
	}
	return fmt.Sprintf("HeadKind(%d)", int(k))
}

// ParseHeadKind returns the head called s ("softmax", "cosface" or "arcface",
// case-insensitive).
func ParseHeadKind(s string) (HeadKind, error) {
	for i, n := range headNames {
		if strings.EqualFold(n, s) {
			return HeadKind(i), nil
		}
	}
	return 0, fmt.Errorf("model: unknown head %q (want softmax, cosface or arcface)", s)
}

// MarshalText encodes the kind by name, so configs read well as JSON.
func (k HeadKind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(headNames) {
		return nil, fmt.Errorf("model: unknown head kind %d", int(k))
	}
	return []byte(headNames[k]), nil
}

// UnmarshalText decodes a kind written by MarshalText.
func (k *HeadKind) UnmarshalText(b []byte) error {
	v, err := ParseHeadKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// HeadConfig configures the classification head.
type HeadConfig struct {
	// Kind selects softmax, CosFace or ArcFace.
	Kind HeadKind `json:"kind"`
	// Scale is insightface's margin_s, the radius of the normalised
	// logits (CosFace and ArcFace only); 0 means insightface's 64.
	Scale float64 `json:"scale,omitempty"`
	// Margin is insightface's margin_m: the cosine margin for CosFace, the
	// angular margin in radians for ArcFace (in [0, π/2)). Zero means no
	// margin (a normalised softmax); insightface's values are s = 64 with m = 0.35
	// (CosFace) or m = 0.5 (ArcFace).
	Margin float64 `json:"margin,omitempty"`
	// EasyMargin is insightface's --easy-margin for ArcFace: apply the
	// margin only where cos θ > 0 and keep the plain logit elsewhere. Without
	// it the margin applies where cos θ > cos(π − m) and the logit elsewhere
	// is s·(cos θ − sin(π − m)·m).
	EasyMargin bool `json:"easy_margin,omitempty"`
	// MarginInEval applies the margin in evaluation forwards too, as
	// insightface's symbol does whenever a label is bound. By default an
	// evaluation forward (Forward with isTrain false) reports the softmax of
	// the margin-free logits s·cos θ, i.e. the classifier's prediction, so
	// validation accuracy measures classification rather than the
	// margin-penalised training objective.
	MarginInEval bool `json:"margin_in_eval,omitempty"`
}

// Config describes a network. The zero values of the optional fields take
// the defaults documented on each field.
type Config struct {
	// InputDim is the number of input features per sample (784 for 28×28
	// images).
	InputDim int `json:"input_dim"`
	// Hidden lists the widths of the hidden dense + ReLU layers.
	Hidden []int `json:"hidden"`
	// EmbeddingDim is the width of the embedding layer fc1.
	EmbeddingDim int `json:"embedding_dim"`
	// NumClasses is the number of classes of the head fc7.
	NumClasses int `json:"num_classes"`
	// Head configures the classification head.
	Head HeadConfig `json:"head"`
	// InputMean and InputScale normalise the raw inputs as
	// (x − InputMean)·InputScale. Both zero means insightface's
	// (x − 127.5)·0.0078125 for 0..255 pixels.
	InputMean  float64 `json:"input_mean,omitempty"`
	InputScale float64 `json:"input_scale,omitempty"`
	// BatchSize is the largest batch Forward accepts; buffers are sized for
	// it once.
	BatchSize int `json:"batch_size"`
	// Workers is the number of goroutines forward and backward use; 0 means
	// runtime.GOMAXPROCS(0). It is not saved in checkpoints and does not
	// change results.
	Workers int `json:"-"`
}

// withDefaults returns c with defaults filled in.
func (c Config) withDefaults() Config {
	c.Hidden = append([]int(nil), c.Hidden...)
	if c.InputMean == 0 && c.InputScale == 0 {
		c.InputMean, c.InputScale = 127.5, 0.0078125
	}
	if c.Head.Kind != Softmax && c.Head.Scale == 0 {
		c.Head.Scale = 64
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	return c
}

// Validate reports the first problem with c (after defaults), naming the
// field, what is allowed and what it holds.
func (c Config) Validate() error {
	c = c.withDefaults()
	pos := func(name string, v int) error {
		if v <= 0 {
			return fmt.Errorf("model: config %s must be > 0, got %d", name, v)
		}
		return nil
	}
	for _, e := range []error{
		pos("input_dim", c.InputDim), pos("embedding_dim", c.EmbeddingDim),
		pos("num_classes", c.NumClasses), pos("batch_size", c.BatchSize),
	} {
		if e != nil {
			return e
		}
	}
	for i, h := range c.Hidden {
		if h <= 0 {
			return fmt.Errorf("model: config hidden[%d] must be > 0, got %d", i, h)
		}
	}
	if c.NumClasses < 2 {
		return fmt.Errorf("model: config num_classes must be >= 2, got %d", c.NumClasses)
	}
	if c.InputScale == 0 || math.IsNaN(c.InputScale) || math.IsInf(c.InputScale, 0) || math.IsNaN(c.InputMean) || math.IsInf(c.InputMean, 0) {
		return fmt.Errorf("model: config input_scale must be finite and non-zero and input_mean finite, got %v and %v", c.InputScale, c.InputMean)
	}
	h := c.Head
	switch h.Kind {
	case Softmax:
	case CosFace, ArcFace:
		if !(h.Scale > 0) || math.IsInf(h.Scale, 0) {
			return fmt.Errorf("model: head scale must be finite and > 0, got %v", h.Scale)
		}
		if h.Kind == ArcFace && !(h.Margin >= 0 && h.Margin < math.Pi/2) {
			return fmt.Errorf("model: arcface margin must be in [0, π/2), got %v", h.Margin)
		}
		if h.Kind == CosFace && (math.IsNaN(h.Margin) || math.IsInf(h.Margin, 0)) {
			return fmt.Errorf("model: cosface margin must be finite, got %v", h.Margin)
		}
	default:
		return fmt.Errorf("model: unknown head kind %d (want softmax, cosface or arcface)", int(h.Kind))
	}
	const maxElems = 1 << 31
	widths := append(append([]int{c.InputDim}, c.Hidden...), c.EmbeddingDim, c.NumClasses)
	for i := 1; i < len(widths); i++ {
		if widths[i] > maxElems/widths[i-1] || widths[i] > maxElems/c.BatchSize || widths[i-1] > maxElems/c.BatchSize {
			return fmt.Errorf("model: config layer %d×%d with batch %d is too large", widths[i], widths[i-1], c.BatchSize)
		}
	}
	return nil
}
