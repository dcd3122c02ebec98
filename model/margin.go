package model

import "math"

// minSin bounds sin θ away from zero in ArcFace's derivative
// d cos(θ+m)/d cos θ = cos m + cos θ·sin m / sin θ, which is infinite at
// cos θ = 1. insightface's symbol (sqrt of 1 − cos²) yields inf or NaN
// gradients there and poisons the weights; evalkit caps the slope instead.
const minSin = 1e-6

// margin is the per-target logit rule of a cosine head, in units of the
// scale s: the target logit is s·f(cos θ).
type margin struct {
	kind       HeadKind
	m          float64
	easy       bool
	cosM, sinM float64
	threshold  float64 // cos(π − m): the hard-margin condition
	mm         float64 // sin(π − m)·m: the hard-margin fallback offset
}

func newMargin(h HeadConfig) margin {
	return margin{
		kind: h.Kind, m: h.Margin, easy: h.EasyMargin,
		cosM: math.Cos(h.Margin), sinM: math.Sin(h.Margin),
		threshold: math.Cos(math.Pi - h.Margin), mm: math.Sin(math.Pi-h.Margin) * h.Margin,
	}
}

// apply returns f(c) and df/dc for the target cosine c.
//
// CosFace: f = c − m. ArcFace (insightface's loss_type 4): where the
// condition holds (c > 0 with EasyMargin, else c > cos(π − m)) f = cos(θ+m) =
// c·cos m − sin θ·sin m with sin θ = sqrt(1 − c²); elsewhere f = c (easy) or
// c − sin(π − m)·m (hard), which keeps f monotonic past θ = π − m.
func (g margin) apply(c float64) (f, df float64) {
	switch g.kind {
	case CosFace:
		return c - g.m, 1
	case ArcFace:
		cond := c > g.threshold
		if g.easy {
			cond = c > 0
		}
		if !cond {
			if g.easy {
				return c, 1
			}
			return c - g.mm, 1
		}
		sinT := math.Sqrt(max(0, 1-c*c))
		f = c*g.cosM - sinT*g.sinM
		return f, g.cosM + c*g.sinM/max(sinT, minSin)
	}
	return c, 1
}
