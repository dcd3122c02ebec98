package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// This file is an independent float64 re-statement of the network's math,
// written plainly from insightface's symbol definitions, used as the
// reference for forward values and for finite-difference gradients.

type refNet struct {
	cfg Config
	p   map[string][]float64
}

func refDense(x []float64, m, in int, w, b []float64, out int) []float64 {
	y := make([]float64, m*out)
	for i := 0; i < m; i++ {
		for o := 0; o < out; o++ {
			s := 0.0
			for k := 0; k < in; k++ {
				s += x[i*in+k] * w[o*in+k]
			}
			if b != nil {
				s += b[o]
			}
			y[i*out+o] = s
		}
	}
	return y
}

func refL2Norm(x []float64, m, n int) []float64 {
	y := make([]float64, len(x))
	for i := 0; i < m; i++ {
		ss := 0.0
		for j := 0; j < n; j++ {
			ss += x[i*n+j] * x[i*n+j]
		}
		nrm := math.Sqrt(ss + 1e-10)
		for j := 0; j < n; j++ {
			y[i*n+j] = x[i*n+j] / nrm
		}
	}
	return y
}

// refLogits returns the head's logits for embeddings e (m, dim).
func refLogits(h HeadConfig, e []float64, m, dim int, w, b []float64, classes int, labels []int, withMargin bool) []float64 {
	if h.Kind == Softmax {
		return refDense(e, m, dim, w, b, classes)
	}
	xn := refL2Norm(e, m, dim)
	wn := refL2Norm(w, classes, dim)
	cos := refDense(xn, m, dim, wn, nil, classes)
	z := make([]float64, len(cos))
	for i := range cos {
		z[i] = h.Scale * cos[i]
	}
	if withMargin {
		for i := 0; i < m; i++ {
			c := cos[i*classes+labels[i]]
			var f float64
			switch h.Kind {
			case CosFace:
				f = c - h.Margin
			case ArcFace:
				theta := math.Acos(c)
				switch {
				case h.EasyMargin && c > 0, !h.EasyMargin && theta < math.Pi-h.Margin:
					f = math.Cos(theta + h.Margin)
				case h.EasyMargin:
					f = c
				default:
					f = c - math.Sin(math.Pi-h.Margin)*h.Margin
				}
			}
			z[i*classes+labels[i]] = h.Scale * f
		}
	}
	return z
}

func refSoftmaxCE(z []float64, m, classes int, labels []int) (p []float64, loss float64) {
	p = make([]float64, len(z))
	for i := 0; i < m; i++ {
		mx := math.Inf(-1)
		for j := 0; j < classes; j++ {
			mx = math.Max(mx, z[i*classes+j])
		}
		s := 0.0
		for j := 0; j < classes; j++ {
			s += math.Exp(z[i*classes+j] - mx)
		}
		for j := 0; j < classes; j++ {
			p[i*classes+j] = math.Exp(z[i*classes+j]-mx) / s
		}
		if labels != nil {
			loss -= math.Log(p[i*classes+labels[i]])
		}
	}
	return p, loss / float64(m)
}

// forward returns the embedding, the probabilities and the mean loss.
func (r refNet) forward(x []float64, labels []int, withMargin bool) (emb, probs []float64, loss float64) {
	c := r.cfg.withDefaults()
	m := len(x) / c.InputDim
	h := make([]float64, len(x))
	for i, v := range x {
		h[i] = (v - c.InputMean) * c.InputScale
	}
	width := c.InputDim
	for l, out := range c.Hidden {
		name := "hidden" + string(rune('0'+l))
		h = refDense(h, m, width, r.p[name+"_weight"], r.p[name+"_bias"], out)
		for i := range h {
			h[i] = math.Max(h[i], 0)
		}
		width = out
	}
	emb = refDense(h, m, width, r.p["fc1_weight"], r.p["fc1_bias"], c.EmbeddingDim)
	z := refLogits(c.Head, emb, m, c.EmbeddingDim, r.p["fc7_weight"], r.p["fc7_bias"], c.NumClasses, labels, withMargin)
	probs, loss = refSoftmaxCE(z, m, c.NumClasses, labels)
	return emb, probs, loss
}

// numGrad returns d f/d v[k] by central differences, restoring v.
func numGrad(f func() float64, v []float64, k int) float64 {
	const h = 1e-6
	old := v[k]
	v[k] = old + h
	fp := f()
	v[k] = old - h
	fm := f()
	v[k] = old
	return (fp - fm) / (2 * h)
}

func randSlice(r *rand.Rand, n int, scale float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64() * scale)
	}
	return s
}

func to64(s []float32) []float64 {
	d := make([]float64, len(s))
	for i, v := range s {
		d[i] = float64(v)
	}
	return d
}

// checkGrad compares an analytic float32 gradient with a float64 numeric
// one: |a − n| ≤ 1e-4·scale + 2e-3·|n|, scale being the largest |n|.
func checkGrad(t *testing.T, what string, analytic []float32, numeric []float64) {
	t.Helper()
	scale := 1e-3
	for _, v := range numeric {
		scale = math.Max(scale, math.Abs(v))
	}
	bad := 0
	for k, nv := range numeric {
		a := float64(analytic[k])
		if math.Abs(a-nv) > 1e-4*scale+2e-3*math.Abs(nv) {
			if bad < 5 {
				t.Errorf("%s[%d]: analytic %.8g, numeric %.8g", what, k, a, nv)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d entries differ", what, bad, len(numeric))
	}
}
