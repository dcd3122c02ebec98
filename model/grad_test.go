package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestDenseGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const m, in, out = 5, 11, 9 // out > blockRows exercises the blocking
	d := newDense("d", in, out, m, true)
	x := randSlice(r, m*in, 1)
	d.x, d.dx = x, make([]float32, m*in)
	copy(d.w, randSlice(r, out*in, 0.5))
	copy(d.b, randSlice(r, out, 0.5))
	g := randSlice(r, m*out, 1)
	d.forward(0, m)
	copy(d.dy, g)
	d.backwardInput(0, 2)
	d.backwardInput(2, m) // two ranges, as two workers would
	d.backwardParams(m, 0, 3)
	d.backwardParams(m, 3, out)

	x64, w64, b64, g64 := to64(x), to64(d.w), to64(d.b), to64(g)
	loss := func() float64 {
		y := refDense(x64, m, in, w64, b64, out)
		s := 0.0
		for i := range y {
			s += g64[i] * y[i]
		}
		return s
	}
	y := refDense(x64, m, in, w64, b64, out)
	for i := range y {
		if math.Abs(float64(d.y[i])-y[i]) > 1e-5*(1+math.Abs(y[i])) {
			t.Fatalf("y[%d] = %v, want %v", i, d.y[i], y[i])
		}
	}
	for _, c := range []struct {
		name string
		v    []float64
		got  []float32
	}{{"dx", x64, d.dx}, {"dw", w64, d.dw}, {"db", b64, d.db}} {
		t.Run(c.name, func(t *testing.T) {
			num := make([]float64, len(c.v))
			for k := range c.v {
				num[k] = numGrad(loss, c.v, k)
			}
			checkGrad(t, c.name, c.got, num)
		})
	}
}

func TestReLUGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const m, n = 4, 6
	x := randSlice(r, m*n, 1)
	for i, v := range x { // keep finite differences away from the kink
		if math.Abs(float64(v)) < 0.05 {
			x[i] = 0.5
		}
	}
	y := append([]float32(nil), x...)
	reluForward(y, n, 0, m)
	g := randSlice(r, m*n, 1)
	dy := append([]float32(nil), g...)
	reluBackward(dy, y, n, 0, m)
	x64, g64 := to64(x), to64(g)
	loss := func() float64 {
		s := 0.0
		for i, v := range x64 {
			s += g64[i] * math.Max(v, 0)
		}
		return s
	}
	num := make([]float64, len(x64))
	for k := range x64 {
		num[k] = numGrad(loss, x64, k)
		if want := math.Max(float64(x[k]), 0); float64(y[k]) != want {
			t.Errorf("relu(%v) = %v, want %v", x[k], y[k], want)
		}
	}
	checkGrad(t, "relu dx", dy, num)
}

func TestL2NormalizeGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const m, n = 3, 7
	x := randSlice(r, m*n, 2)
	y, dx := make([]float32, m*n), make([]float32, m*n)
	norms := make([]float64, m)
	l2NormalizeRows(y, x, norms, n, 0, m)
	g := randSlice(r, m*n, 1)
	l2NormalizeBackward(dx, g, y, norms, n, 0, m)
	x64, g64 := to64(x), to64(g)
	ref := refL2Norm(x64, m, n)
	for i := range ref {
		if math.Abs(float64(y[i])-ref[i]) > 1e-6 {
			t.Fatalf("y[%d] = %v, want %v", i, y[i], ref[i])
		}
	}
	loss := func() float64 {
		s := 0.0
		for i, v := range refL2Norm(x64, m, n) {
			s += g64[i] * v
		}
		return s
	}
	num := make([]float64, len(x64))
	for k := range x64 {
		num[k] = numGrad(loss, x64, k)
	}
	checkGrad(t, "l2norm dx", dx, num)
}

// headCases are the heads the gradient checks cover. aimBelow makes row 0's
// embedding point away from its class weight, so its target cosine is
// below ArcFace's hard threshold cos(π − m) (or below 0 for the easy margin).
var headCases = []struct {
	name     string
	h        HeadConfig
	aimBelow bool
}{
	{"softmax", HeadConfig{Kind: Softmax}, false},
	{"normsoftmax", HeadConfig{Kind: CosFace, Scale: 8}, false},
	{"cosface", HeadConfig{Kind: CosFace, Scale: 8, Margin: 0.35}, false},
	{"cosface-s64", HeadConfig{Kind: CosFace, Scale: 64, Margin: 0.35}, false},
	{"arcface", HeadConfig{Kind: ArcFace, Scale: 8, Margin: 0.5}, false},
	{"arcface-s64", HeadConfig{Kind: ArcFace, Scale: 64, Margin: 0.5}, false},
	{"arcface-below-threshold", HeadConfig{Kind: ArcFace, Scale: 8, Margin: 0.5}, true},
	{"arcface-easy", HeadConfig{Kind: ArcFace, Scale: 8, Margin: 0.5, EasyMargin: true}, false},
	{"arcface-easy-negative", HeadConfig{Kind: ArcFace, Scale: 8, Margin: 0.5, EasyMargin: true}, true},
}

func TestHeadGradients(t *testing.T) {
	const m, E, C = 6, 5, 4
	for ci, tc := range headCases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(ci)))
			h := newHead(tc.h, E, C, m)
			x := randSlice(r, m*E, 1)
			dx := make([]float32, m*E)
			h.bind(x, dx)
			w, dw, b, db := h.weight()
			copy(w, randSlice(r, C*E, 1))
			if b != nil {
				copy(b, randSlice(r, C, 0.3))
			}
			labels := []int32{0, 1, 2, 3, 1, 2}
			if tc.aimBelow {
				for j := 0; j < E; j++ { // row 0 ≈ −(class 0 weight)
					x[j] = -w[j] + 0.05*float32(r.NormFloat64())
				}
			}
			h.prepare(labels, true)
			h.forward(0, 3)
			h.forward(3, m)
			if tc.aimBelow {
				c := float64(h.cos[0])
				lim := math.Cos(math.Pi - tc.h.Margin)
				if tc.h.EasyMargin {
					lim = 0
				}
				if c >= lim-0.01 {
					t.Fatalf("row 0 target cosine %v is not below %v", c, lim)
				}
			}
			p := make([]float32, m*C)
			lossRows := make([]float64, m)
			softmaxRows(p, h.z, labels, lossRows, C, 0, m)
			softmaxCEBackward(h.dz, p, labels, 1/float64(m), C, 0, m)
			h.backwardInput(0, m)
			h.backwardParams(m, 0, 1)
			h.backwardParams(m, 1, C)

			lab := []int{0, 1, 2, 3, 1, 2}
			x64, w64 := to64(x), to64(w)
			var b64 []float64
			if b != nil {
				b64 = to64(b)
			}
			loss := func() float64 {
				z := refLogits(tc.h, x64, m, E, w64, b64, C, lab, true)
				_, l := refSoftmaxCE(z, m, C, lab)
				return l
			}
			got := 0.0
			for _, v := range lossRows {
				got += v
			}
			if want := loss(); math.Abs(got/m-want) > 1e-5*(1+want) {
				t.Errorf("loss = %.8g, want %.8g", got/m, want)
			}
			grads := []struct {
				name string
				v    []float64
				got  []float32
			}{{"d embedding", x64, dx}, {"d fc7_weight", w64, dw}}
			if b != nil {
				grads = append(grads, struct {
					name string
					v    []float64
					got  []float32
				}{"d fc7_bias", b64, db})
			}
			for _, g := range grads {
				num := make([]float64, len(g.v))
				for k := range g.v {
					num[k] = numGrad(loss, g.v, k)
				}
				checkGrad(t, g.name, g.got, num)
			}
		})
	}
}

func TestMarginValues(t *testing.T) {
	// Hand-worked: ArcFace m = 0.5, cos(π − 0.5) = −0.87758, sin(π − 0.5)·0.5 = 0.23971.
	arc := newMargin(HeadConfig{Kind: ArcFace, Margin: 0.5})
	easy := newMargin(HeadConfig{Kind: ArcFace, Margin: 0.5, EasyMargin: true})
	cos := newMargin(HeadConfig{Kind: CosFace, Margin: 0.35})
	for _, c := range []struct {
		g       margin
		in, out float64
	}{
		{arc, 0.8, 0.8*math.Cos(0.5) - 0.6*math.Sin(0.5)}, // θ = acos 0.8, sin θ = 0.6: cos(θ+m)
		{arc, 1, math.Cos(0.5)},
		{arc, 0, -math.Sin(0.5)},
		{arc, -0.8, -0.8*math.Cos(0.5) - 0.6*math.Sin(0.5)}, // still above the threshold
		{arc, -0.95, -0.95 - math.Sin(0.5)*0.5},             // below: c − sin(π−m)·m
		{easy, 0.6, 0.6*math.Cos(0.5) - 0.8*math.Sin(0.5)},
		{easy, -0.1, -0.1}, // easy margin keeps non-positive cosines
		{easy, 0, 0},
		{cos, 0.5, 0.15},
	} {
		t.Run(fmt.Sprint(c.in), func(t *testing.T) {
			got, _ := c.g.apply(c.in)
			if math.Abs(got-c.out) > 1e-15 {
				t.Errorf("%v margin f(%v) = %v, want %v", c.g.kind, c.in, got, c.out)
			}
		})
	}
	if _, df := arc.apply(1); math.IsInf(df, 0) || math.IsNaN(df) {
		t.Errorf("ArcFace slope at cos θ = 1 is %v, want a finite cap", df)
	}
}
