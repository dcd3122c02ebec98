package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// smallConfig is a network small enough for finite differences over every
// parameter, with two hidden layers so the backward chain is exercised.
func smallConfig(h HeadConfig, workers int) Config {
	return Config{InputDim: 12, Hidden: []int{9, 7}, EmbeddingDim: 6, NumClasses: 5, Head: h, BatchSize: 8, Workers: workers}
}

func randomNet(t *testing.T, cfg Config, seed uint64) *Network {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	r := rand.New(rand.NewPCG(seed, 1))
	for _, p := range n.Params() {
		copy(p.Data, randSlice(r, len(p.Data), 0.6))
	}
	return n
}

func randomBatch(seed uint64, rows, dim, classes int) (x, labels []float32) {
	r := rand.New(rand.NewPCG(seed, 2))
	x = make([]float32, rows*dim)
	for i := range x {
		x[i] = float32(r.IntN(256))
	}
	labels = make([]float32, rows)
	for i := range labels {
		labels[i] = float32(i % classes)
	}
	return x, labels
}

func TestNetworkGradient(t *testing.T) {
	for _, h := range []HeadConfig{
		{Kind: Softmax},
		{Kind: CosFace, Scale: 8, Margin: 0.35},
		{Kind: ArcFace, Scale: 8, Margin: 0.5},
	} {
		t.Run(h.Kind.String(), func(t *testing.T) {
			cfg := smallConfig(h, 3)
			n := randomNet(t, cfg, 11)
			x, labels := randomBatch(12, 7, cfg.InputDim, cfg.NumClasses) // 7 < BatchSize
			if err := n.Forward(x, labels, true); err != nil {
				t.Fatal(err)
			}
			if err := n.Backward(); err != nil {
				t.Fatal(err)
			}
			ref := refNet{cfg: cfg, p: map[string][]float64{}}
			for _, p := range n.Params() {
				ref.p[p.Name] = to64(p.Data)
			}
			lab := make([]int, len(labels))
			for i, v := range labels {
				lab[i] = int(v)
			}
			x64 := to64(x)
			emb, probs, loss := ref.forward(x64, lab, true)
			if math.Abs(n.Loss()-loss) > 1e-5*(1+loss) {
				t.Errorf("loss %.8g, reference %.8g", n.Loss(), loss)
			}
			for i, v := range n.Embedding() {
				if math.Abs(float64(v)-emb[i]) > 1e-4*(1+math.Abs(emb[i])) {
					t.Fatalf("embedding[%d] = %v, reference %v", i, v, emb[i])
				}
			}
			for i, v := range n.Probs() {
				if math.Abs(float64(v)-probs[i]) > 1e-5 {
					t.Fatalf("probs[%d] = %v, reference %v", i, v, probs[i])
				}
			}
			f := func() float64 { _, _, l := ref.forward(x64, lab, true); return l }
			for _, p := range n.Params() {
				v := ref.p[p.Name]
				num := make([]float64, len(v))
				for k := range v {
					num[k] = numGrad(f, v, k)
				}
				checkGrad(t, "d "+p.Name, p.Grad, num)
			}
		})
	}
}

func TestEvalForwardMargin(t *testing.T) {
	h := HeadConfig{Kind: ArcFace, Scale: 8, Margin: 0.5}
	cfg := smallConfig(h, 2)
	n := randomNet(t, cfg, 3)
	x, labels := randomBatch(4, 8, cfg.InputDim, cfg.NumClasses)
	ref := refNet{cfg: cfg, p: map[string][]float64{}}
	for _, p := range n.Params() {
		ref.p[p.Name] = to64(p.Data)
	}
	lab := []int{0, 1, 2, 3, 4, 0, 1, 2}
	for _, c := range []struct {
		train, marginInEval, want bool
	}{{true, false, true}, {false, false, false}, {false, true, true}} {
		t.Run(fmt.Sprint(c.train, c.marginInEval), func(t *testing.T) {
			n.cfg.Head.MarginInEval = c.marginInEval
			if err := n.Forward(x, labels, c.train); err != nil {
				t.Fatal(err)
			}
			_, probs, loss := ref.forward(to64(x), lab, c.want)
			if math.Abs(n.Loss()-loss) > 1e-5*(1+loss) {
				t.Errorf("train=%v marginInEval=%v: loss %v, want %v (margin applied: %v)", c.train, c.marginInEval, n.Loss(), loss, c.want)
			}
			for i, v := range n.Probs() {
				if math.Abs(float64(v)-probs[i]) > 1e-5 {
					t.Fatalf("train=%v: probs[%d] = %v, want %v", c.train, i, v, probs[i])
				}
			}
		})
	}
	if err := n.Forward(x, nil, false); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(n.Loss()) {
		t.Errorf("unlabelled forward loss %v, want NaN", n.Loss())
	}
	if err := n.Backward(); err == nil {
		t.Error("Backward after an evaluation forward: no error")
	}
}

// Results must not depend on the number of workers: every value is computed
// by one worker in a fixed order.
func TestWorkerInvariance(t *testing.T) {
	h := HeadConfig{Kind: ArcFace, Scale: 16, Margin: 0.3}
	var ref *Network
	for _, w := range []int{1, 2, 3, 8} {
		cfg := Config{InputDim: 40, Hidden: []int{33}, EmbeddingDim: 17, NumClasses: 10, Head: h, BatchSize: 16, Workers: w}
		n := randomNet(t, cfg, 5)
		x, labels := randomBatch(6, 16, 40, 10)
		if err := n.Forward(x, labels, true); err != nil {
			t.Fatal(err)
		}
		if err := n.Backward(); err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = n
			continue
		}
		if n.Loss() != ref.Loss() || !slices.Equal(n.Probs(), ref.Probs()) || !slices.Equal(n.Embedding(), ref.Embedding()) {
			t.Errorf("workers=%d: outputs differ from workers=1", w)
		}
		for i, p := range n.Params() {
			if !slices.Equal(p.Grad, ref.Params()[i].Grad) {
				t.Errorf("workers=%d: gradient of %s differs from workers=1", w, p.Name)
			}
		}
	}
}

func TestForwardErrors(t *testing.T) {
	cfg := smallConfig(HeadConfig{Kind: CosFace, Scale: 8}, 1)
	n := randomNet(t, cfg, 1)
	x, labels := randomBatch(1, 4, cfg.InputDim, cfg.NumClasses)
	big, bigLabels := randomBatch(1, 9, cfg.InputDim, cfg.NumClasses)
	for _, c := range []struct {
		name  string
		x, l  []float32
		train bool
		want  string
	}{
		{"ragged input", x[:len(x)-1], nil, false, "multiple of input_dim 12"},
		{"empty input", nil, nil, false, "multiple of input_dim"},
		{"too many rows", big, bigLabels, true, "exceeds the network's batch_size 8"},
		{"label count", x, labels[:3], true, "3 labels for 4 input rows"},
		{"label range", x, []float32{0, 1, 5, 2}, true, "label 2 is 5, want a class index in [0, 5)"},
		{"negative label", x, []float32{0, -1, 1, 2}, true, "label 1 is -1"},
		{"NaN label", x, []float32{0, float32(math.NaN()), 1, 2}, true, "label 1 is NaN"},
		{"train without labels", x, nil, true, "needs labels"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := n.Forward(c.x, c.l, c.train)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			}
		})
	}
	// A label of 2.7 is class 2 (MXNet truncates toward zero).
	if err := n.Forward(x, []float32{0, 1, 2.7, 4.5}, false); err != nil {
		t.Errorf("fractional labels: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{InputDim: 4, EmbeddingDim: 2, NumClasses: 3, BatchSize: 2}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"input", func(c *Config) { c.InputDim = 0 }, "input_dim must be > 0, got 0"},
		{"hidden", func(c *Config) { c.Hidden = []int{3, -1} }, "hidden[1] must be > 0, got -1"},
		{"classes", func(c *Config) { c.NumClasses = 1 }, "num_classes must be >= 2, got 1"},
		{"batch", func(c *Config) { c.BatchSize = -2 }, "batch_size must be > 0, got -2"},
		{"arc margin", func(c *Config) { c.Head = HeadConfig{Kind: ArcFace, Margin: 2} }, "arcface margin must be in [0, π/2), got 2"},
		{"scale", func(c *Config) { c.Head = HeadConfig{Kind: CosFace, Scale: -1} }, "scale must be finite and > 0, got -1"},
		{"kind", func(c *Config) { c.Head = HeadConfig{Kind: 9} }, "unknown head kind 9"},
		{"huge", func(c *Config) { c.InputDim, c.Hidden = 1<<20, []int{1 << 20} }, "too large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := ok
			c.edit(&cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			}
			if _, err := New(cfg); err == nil {
				t.Errorf("%s: New accepted an invalid config", c.name)
			}
		})
	}
	for _, s := range []string{"softmax", "CosFace", "arcface"} {
		k, err := ParseHeadKind(s)
		if err != nil || !strings.EqualFold(k.String(), s) {
			t.Errorf("ParseHeadKind(%q) = %v, %v", s, k, err)
		}
	}
	if _, err := ParseHeadKind("sphereface"); err == nil {
		t.Error("ParseHeadKind accepted sphereface")
	}
}
