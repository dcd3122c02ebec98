package fit

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/evalkit/evalkit/nd"
)

// OptimizerFactory builds an optimizer from MXNet-style parameters such as
// {"learning_rate": 0.1, "momentum": 0.9, "wd": 5e-4, "rescale_grad": 0.5}.
type OptimizerFactory func(params map[string]any) (Optimizer, error)

var (
	optMu       sync.RWMutex
	optRegistry = map[string]OptimizerFactory{"sgd": newSGDFromParams}
)

// RegisterOptimizer makes an optimizer available to CreateOptimizer by name
// (lower-cased, as MXNet's registry). Registering a taken name is an error.
func RegisterOptimizer(name string, f OptimizerFactory) error {
	if f == nil {
		return fmt.Errorf("fit: RegisterOptimizer(%q): nil factory", name)
	}
	key := strings.ToLower(name)
	optMu.Lock()
	defer optMu.Unlock()
	if _, dup := optRegistry[key]; dup {
		return fmt.Errorf("fit: optimizer %q is already registered", name)
	}
	optRegistry[key] = f
	return nil
}

// CreateOptimizer builds the registered optimizer name with params.
func CreateOptimizer(name string, params map[string]any) (Optimizer, error) {
	optMu.RLock()
	f, ok := optRegistry[strings.ToLower(name)]
	var names []string
	if !ok {
		for n := range optRegistry {
			names = append(names, n)
		}
	}
	optMu.RUnlock()
	if !ok {
		sort.Strings(names)
		return nil, fmt.Errorf("fit: unknown optimizer %q (registered: %s)", name, strings.Join(names, ", "))
	}
	return f(params)
}

// SGD is MXNet's SGD optimizer (sgd_update / sgd_mom_update), in float32
// as MXNet computes it:
//
//	g = clip(rescale_grad·grad, ±clip_gradient)
//	mom = momentum·mom − lr·(g + wd·w);  w += mom      (momentum > 0)
//	w = w − lr·(g + wd·w)                              (momentum = 0)
//
// As MXNet's Module sets it up, weight decay applies only to parameters whose
// name ends in "_weight" or "_gamma" (wd_mult 0 for the others). It is
// registered as "sgd". SGD implements encoding.BinaryMarshaler, so its
// momentum buffers and learning rate are saved in checkpoints. It is not
// safe for concurrent Update calls on the same parameter name.
type SGD struct {
	LR           float64
	Momentum     float64
	WD           float64
	RescaleGrad  float64
	ClipGradient float64 // negative: no clipping
	mu           sync.Mutex
	mom          map[string][]float32
}

// NewSGD returns an SGD with MXNet's defaults for the given learning rate:
// no momentum, no weight decay, rescale_grad 1, no clipping.
func NewSGD(lr float64) *SGD {
	return &SGD{LR: lr, RescaleGrad: 1, ClipGradient: -1}
}

func newSGDFromParams(p map[string]any) (Optimizer, error) {
	s := NewSGD(0.01)
	for k, v := range p {
		f, ok := toFloat(v)
		if !ok {
			if k == "multi_precision" || k == "lazy_update" {
				continue
			}
			return nil, fmt.Errorf("fit: sgd parameter %s=%v is not a number", k, v)
		}
		switch k {
		case "learning_rate", "lr":
			s.LR = f
		case "momentum":
			s.Momentum = f
		case "wd":
			s.WD = f
		case "rescale_grad":
			s.RescaleGrad = f
		case "clip_gradient":
			s.ClipGradient = f
		case "multi_precision", "lazy_update":
		default:
			return nil, fmt.Errorf("fit: sgd has no parameter %q (want learning_rate, momentum, wd, rescale_grad, clip_gradient)", k)
		}
	}
	return s, nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case interface{ Float64() (float64, error) }: // json.Number
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// LearningRate returns the current learning rate.
func (s *SGD) LearningRate() float64 { return s.LR }

// SetLearningRate sets the learning rate of following updates.
func (s *SGD) SetLearningRate(lr float64) { s.LR = lr }

// wdFor returns the weight decay for a parameter name (MXNet's wd_mult
// default: 0 unless the name ends in _weight or _gamma).
func (s *SGD) wdFor(name string) float32 {
	if strings.HasSuffix(name, "_weight") || strings.HasSuffix(name, "_gamma") {
		return float32(s.WD)
	}
	return 0
}

// Update applies one SGD step to weight (float32) given grad.
func (s *SGD) Update(name string, weight, grad *nd.Array) error {
	w, g := weight.Float32s(), grad.Float32s()
	if w == nil || g == nil {
		return fmt.Errorf("fit: sgd: parameter %q: want float32 weight and gradient, got %s and %s", name, weight, grad)
	}
	if len(w) != len(g) {
		return fmt.Errorf("fit: sgd: parameter %q: weight %s and gradient %s differ in size", name, weight, grad)
	}
	lr, wd, rg := float32(s.LR), s.wdFor(name), float32(s.RescaleGrad)
	clip := float32(s.ClipGradient)
	doClip := s.ClipGradient >= 0
	if s.Momentum == 0 {
		for i, gi := range g {
			gi *= rg
			if doClip {
				gi = min(max(gi, -clip), clip)
			}
			w[i] -= lr * (gi + wd*w[i])
		}
		return nil
	}
	s.mu.Lock()
	if s.mom == nil {
		s.mom = make(map[string][]float32)
	}
	m, ok := s.mom[name]
	if !ok || len(m) != len(w) {
		m = make([]float32, len(w))
		s.mom[name] = m
	}
	s.mu.Unlock()
	mo := float32(s.Momentum)
	for i, gi := range g {
		gi *= rg
		if doClip {
			gi = min(max(gi, -clip), clip)
		}
		m[i] = mo*m[i] - lr*wd*w[i] - lr*gi
		w[i] += m[i]
	}
	return nil
}

// MarshalBinary encodes the learning rate and momentum buffers in the
// format of sgdstate.go: the same state always gives the same bytes, so
// checkpoints of identical runs are identical files.
func (s *SGD) MarshalBinary() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return encodeSGDState(s.LR, s.mom), nil
}

// UnmarshalBinary restores a state written by MarshalBinary (or by evalkit
// releases that wrote it with encoding/gob).
func (s *SGD) UnmarshalBinary(data []byte) error {
	lr, mom, err := decodeSGDState(data)
	if err != nil {
		return fmt.Errorf("fit: sgd state is corrupt: %w", err)
	}
	s.mu.Lock()
	s.LR, s.mom = lr, mom
	s.mu.Unlock()
	return nil
}
