package verify

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/evalkit/evalkit/nd"
	"github.com/google/go-cmp/cmp"
)

// naiveProtocol is insightface's calculate_roc / calculate_val, loop for
// loop over every threshold and every pair (O(folds·grid·pairs)), the
// reference for the counting implementation.
func naiveProtocol(dist []float64, same []bool, k int) (acc, best, vth []float64) {
	folds, _ := KFold(len(dist), k)
	rates := func(th float64, idx []int) (acc, far, val float64) {
		var tp, fp, tn, fn int
		for _, p := range idx {
			pred := dist[p] < th
			switch {
			case pred && same[p]:
				tp++
			case pred:
				fp++
			case same[p]:
				fn++
			default:
				tn++
			}
		}
		if fp+tn > 0 {
			far = float64(fp) / float64(fp+tn)
		}
		if tp+fn > 0 {
			val = float64(tp) / float64(tp+fn)
		}
		return float64(tp+tn) / float64(len(idx)), far, val
	}
	for _, f := range folds {
		var train, test []int
		for p := range dist {
			if f.inTest(p) {
				test = append(test, p)
			}
			if !f.inTest(p) || k == 1 {
				train = append(train, p)
			}
		}
		bi, ba := 0, -1.0
		for i := 0; i < AccuracyGrid.N; i++ {
			if a, _, _ := rates(AccuracyGrid.Value(i), train); a > ba {
				bi, ba = i, a
			}
		}
		a, _, _ := rates(AccuracyGrid.Value(bi), test)
		acc = append(acc, a)
		best = append(best, AccuracyGrid.Value(bi))
		far := make([]float64, VALGrid.N)
		for i := range far {
			_, far[i], _ = rates(VALGrid.Value(i), train)
		}
		th := 0.0
		if far[len(far)-1] >= 1e-3 {
			th = slinear(far, VALGrid.Values(), 1e-3)
		}
		vth = append(vth, th)
	}
	return acc, best, vth
}

// randomDistances draws n squared-L2 distances in [0, 4) with a class
// signal, some exactly on grid points and some repeated.
func randomDistances(r *rand.Rand, n int) ([]float64, []bool) {
	d := make([]float64, n)
	s := make([]bool, n)
	for i := range d {
		s[i] = r.IntN(2) == 0
		switch r.IntN(6) {
		case 0:
			d[i] = AccuracyGrid.Value(r.IntN(400))
		case 1:
			d[i] = float64(r.IntN(40)) / 10
		default:
			d[i] = r.Float64() * 2
			if !s[i] {
				d[i] += r.Float64() * 2
			}
		}
		d[i] = math.Min(d[i], 3.999)
	}
	return d, s
}

func TestGridProtocolMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		n := 20 + r.IntN(200)
		k := 1 + r.IntN(10)
		d, s := randomDistances(r, n)
		res, err := Evaluate(d, s, Options{Folds: k})
		if err != nil {
			t.Fatal(err)
		}
		acc, best, vth := naiveProtocol(d, s, k)
		if !cmp.Equal(acc, res.FoldAccuracies) || !cmp.Equal(best, res.BestThresholds) || !cmp.Equal(vth, res.VALThresholds) {
			t.Fatalf("n=%d k=%d:\nacc %v\n    %v\nbest %v\n     %v\nvth %v\n    %v", n, k,
				acc, res.FoldAccuracies, best, res.BestThresholds, vth, res.VALThresholds)
		}
	}
}

func TestExactTrainAccuracyAtLeastGrid(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 50; trial++ {
		d, s := randomDistances(r, 10+r.IntN(300))
		k := 1 + r.IntN(10)
		if k > len(d) {
			k = len(d)
		}
		g, err := Evaluate(d, s, Options{Folds: k})
		if err != nil {
			t.Fatal(err)
		}
		x, err := Evaluate(d, s, Options{Folds: k, Mode: ExactMode})
		if err != nil {
			t.Fatal(err)
		}
		for f := range g.TrainAccuracies {
			if x.TrainAccuracies[f] < g.TrainAccuracies[f] {
				t.Fatalf("trial %d fold %d: exact %v < grid %v", trial, f, x.TrainAccuracies[f], g.TrainAccuracies[f])
			}
		}
	}
}

func TestGridFirstAbove(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, g := range []Grid{AccuracyGrid, VALGrid, {Step: 0.005, N: 400}} {
		vals := g.Values()
		for i := 0; i < 20000; i++ {
			var v float64
			switch r.IntN(4) {
			case 0:
				v = vals[r.IntN(g.N)]
			case 1:
				v = math.Nextafter(vals[r.IntN(g.N)], math.Inf(-1))
			case 2:
				v = float64(r.IntN(4000)) / 1000
			default:
				v = r.Float64()*5 - 0.5
			}
			if a, b := g.firstAbove(vals, v), g.searchAbove(vals, v); a != b {
				t.Fatalf("grid %+v: firstAbove(%v) = %d, binary search %d", g, v, a, b)
			}
		}
		for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1, 0, 1e300} {
			if a, b := g.firstAbove(vals, v), g.searchAbove(vals, v); a != b {
				t.Errorf("firstAbove(%v) = %d, want %d", v, a, b)
			}
		}
	}
}

func TestKFold(t *testing.T) {
	f, err := KFold(23, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []Fold{{0, 5}, {5, 10}, {10, 15}, {15, 19}, {19, 23}}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, c := range [][2]int{{3, 0}, {3, 4}, {0, 1}} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			if _, err := KFold(c[0], c[1]); err == nil {
				t.Errorf("KFold(%d, %d): no error", c[0], c[1])
			}
		})
	}
}

func TestEvaluateErrorsAndDegenerate(t *testing.T) {
	for _, tc := range []struct {
		d    []float64
		s    []bool
		o    Options
		want string
	}{
		{[]float64{1, 2}, []bool{true}, Options{}, "2 scores but 1 issame labels"},
		{[]float64{1, math.NaN()}, []bool{true, false}, Options{Folds: 2}, "pair 1 is NaN"},
		{[]float64{1, math.Inf(1)}, []bool{true, false}, Options{Folds: 2}, "pair 1 is +Inf"},
		{[]float64{1, 2}, []bool{true, false}, Options{}, "10 folds need at least 10 pairs, got 2"},
		{nil, nil, Options{}, "no pairs"},
		{[]float64{1}, []bool{true}, Options{Folds: -1}, "folds must be positive"},
		{[]float64{1}, []bool{true}, Options{FARTarget: 2}, "FAR target"},
		{[]float64{1}, []bool{true}, Options{Folds: 1, AccuracyGrid: Grid{Step: -1, N: 3}}, "accuracy grid"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if _, err := Evaluate(tc.d, tc.s, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: err = %v, want %q", tc.d, err, tc.want)
			}
		})
	}
	// A fold without positives: evaluated, rates with a zero denominator
	// are 0, and the fold is named.
	d := []float64{0.5, 1.5, 0.6, 1.7, 1.8, 1.9}
	s := []bool{true, false, true, false, false, false}
	r, err := Evaluate(d, s, Options{Folds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r.FoldVAL[2] != 0 || len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "fold 2: test split has no positive") {
		t.Errorf("val %v warnings %v", r.FoldVAL, r.Warnings)
	}
	// k = 1: tuned and tested on all pairs (insightface's LFold).
	r, err = Evaluate(d, s, Options{Folds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Accuracy != 1 || r.AccuracyStd != 0 || r.TrainAccuracies[0] != 1 {
		t.Errorf("k=1: %+v", r)
	}
}

// mannWhitney is the AUC by its definition: the fraction of
// (genuine, impostor) pairs ranked right, ties counting half.
func mannWhitney(scores []float64, genuine []bool) float64 {
	var num float64
	var p, n int
	for i, a := range scores {
		if !genuine[i] {
			continue
		}
		p++
		for j, b := range scores {
			if genuine[j] {
				continue
			}
			switch {
			case a > b:
				num++
			case a == b:
				num += 0.5
			}
		}
	}
	for _, g := range genuine {
		if !g {
			n++
		}
	}
	return num / float64(p*n)
}

func randomScores(r *rand.Rand, n int) ([]float64, []bool) {
	s := make([]float64, n)
	g := make([]bool, n)
	for i := range s {
		g[i] = r.IntN(3) == 0
		s[i] = float64(r.IntN(20)) / 10 // many ties
		if r.IntN(2) == 0 {
			s[i] = r.NormFloat64()
		}
		if g[i] {
			s[i] += 0.7
		}
	}
	g[0], g[1] = true, false
	return s, g
}

func TestROCProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 200; trial++ {
		s, g := randomScores(r, 2+r.IntN(2000))
		roc, err := NewROC(s, g)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(roc.FPR); i++ {
			if roc.FPR[i] < roc.FPR[i-1] || roc.TPR[i] < roc.TPR[i-1] || roc.Thresholds[i] >= roc.Thresholds[i-1] {
				t.Fatalf("not monotone at %d: %v %v %v", i, roc.FPR[i-1:i+1], roc.TPR[i-1:i+1], roc.Thresholds[i-1:i+1])
			}
		}
		if roc.FPR[0] != 0 || roc.TPR[0] != 0 || roc.FPR[len(roc.FPR)-1] != 1 || roc.TPR[len(roc.TPR)-1] != 1 {
			t.Fatalf("ends %v %v", roc.FPR, roc.TPR)
		}
		if a, b := roc.AUC(), mannWhitney(s, g); math.Abs(a-b) > 1e-12 {
			t.Fatalf("AUC %v, Mann-Whitney %v", a, b)
		}
		eer, _ := roc.EER()
		if eer < 0 || eer > 1 {
			t.Fatalf("EER %v", eer)
		}
		for _, far := range []float64{0, 1e-3, 0.05, 0.3, 1} {
			p := roc.TARAtFARInterpolated(far)
			q := roc.TARAtFAR(far)
			if p.TAR < 0 || p.TAR > 1 || q.TAR < 0 || q.TAR > 1 {
				t.Fatalf("TAR@%v: %+v %+v", far, p, q)
			}
		}
	}
}

func TestCurveMergeEqualsSequential(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	s, g := randomScores(r, 5000)
	var seq Curve
	if err := seq.Add(s, g); err != nil {
		t.Fatal(err)
	}
	want, err := seq.ROC()
	if err != nil {
		t.Fatal(err)
	}
	h, _ := NewHistogram(-3, 4, 700)
	if err := h.Add(s, g); err != nil {
		t.Fatal(err)
	}
	hwant, _ := h.ROC()
	for shards := 2; shards <= 7; shards++ {
		parts := make([]Curve, shards)
		hp := make([]*Histogram, shards)
		var wg sync.WaitGroup
		for k := range parts {
			hp[k], _ = NewHistogram(-3, 4, 700)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := k * 10; i < len(s); i += shards * 10 {
					e := min(i+10, len(s))
					parts[k].Add(s[i:e], g[i:e])
					hp[k].Add(s[i:e], g[i:e])
				}
			}()
		}
		wg.Wait()
		var merged Curve
		hm, _ := NewHistogram(-3, 4, 700)
		for k := range parts {
			// through JSON, as shards on other machines would send them
			b, err := json.Marshal(&parts[k])
			if err != nil {
				t.Fatal(err)
			}
			var c Curve
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatal(err)
			}
			if err := merged.Merge(&c); err != nil {
				t.Fatal(err)
			}
			hb, _ := json.Marshal(hp[k])
			var hc Histogram
			if err := json.Unmarshal(hb, &hc); err != nil {
				t.Fatal(err)
			}
			if err := hm.Merge(&hc); err != nil {
				t.Fatal(err)
			}
		}
		got, err := merged.ROC()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%d shards: merged ROC differs (-sequential +merged):\n%s", shards, diff)
		}
		hgot, _ := hm.ROC()
		if diff := cmp.Diff(hwant, hgot); diff != "" {
			t.Fatalf("%d shards: merged histogram ROC differs:\n%s", shards, diff)
		}
	}
	if err := seq.Merge(&seq); err == nil {
		t.Error("self-merge: no error")
	}
	other, _ := NewHistogram(0, 1, 10)
	if err := h.Merge(other); err == nil || !strings.Contains(err.Error(), "cannot merge histogram of 10 bins") {
		t.Errorf("histogram range mismatch: %v", err)
	}
}

func TestCurveErrors(t *testing.T) {
	var c Curve
	if err := c.Add([]float64{1}, nil); err == nil {
		t.Error("length mismatch: no error")
	}
	if err := c.Add([]float64{1, math.NaN()}, []bool{true, false}); err == nil || !strings.Contains(err.Error(), "score 1 is NaN") {
		t.Errorf("NaN: %v", err)
	}
	if err := c.AddFloat32([]float32{float32(math.Inf(-1))}, []bool{true}); err == nil || !strings.Contains(err.Error(), "score 0 is -Inf") {
		t.Errorf("-Inf: %v", err)
	}
	if g, i := c.Len(); g != 0 || i != 0 {
		t.Errorf("failed Add stored %d, %d scores", g, i)
	}
	c.Add([]float64{1, 2}, []bool{true, true})
	if _, err := c.ROC(); err == nil || !strings.Contains(err.Error(), "2 genuine and 0 impostor") {
		t.Errorf("one class: %v", err)
	}
	c.Reset()
	if _, err := c.ROC(); err == nil {
		t.Error("empty curve: no error")
	}
	for _, bad := range []string{`{"kind":"histogram"}`, `[1]`, `{"kind":"exact-curve","genuine":"x"}`} {
		if err := json.Unmarshal([]byte(bad), &c); err == nil {
			t.Errorf("curve %s: no error", bad)
		}
	}
	var h Histogram
	for _, bad := range []string{`{"kind":"histogram","lo":1,"hi":0,"genuine":[1],"impostor":[1]}`,
		`{"kind":"histogram","lo":0,"hi":1,"genuine":[1,2],"impostor":[1]}`,
		`{"kind":"histogram","lo":0,"hi":1,"genuine":[-1],"impostor":[1]}`} {
		if err := json.Unmarshal([]byte(bad), &h); err == nil {
			t.Errorf("histogram %s: no error", bad)
		}
	}
	for _, args := range [][3]float64{{0, 0, 10}, {0, math.Inf(1), 10}, {0, 1, 0}} {
		if _, err := NewHistogram(args[0], args[1], int(args[2])); err == nil {
			t.Errorf("NewHistogram%v: no error", args)
		}
	}
}

func TestSortDescending(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{0, 1, 100, 511, 512, 5000, 70000, 300000} {
		a := make([]float64, n)
		for i := range a {
			switch r.IntN(5) {
			case 0:
				a[i] = float64(float32(r.NormFloat64()))
			case 1:
				a[i] = math.Inf(1 - 2*r.IntN(2))
			case 2:
				a[i] = float64(r.IntN(5) - 2)
			default:
				a[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
			}
		}
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			want := slices.Clone(a)
			slices.SortFunc(want, func(x, y float64) int { return -cmpFloat(x, y) })
			sortDescending(a)
			if !slices.Equal(a, want) {
				t.Fatalf("n=%d: sort differs", n)
			}
		})
	}
	// Every digit equal (all keys alike), keys differing only in the last
	// byte, and already sorted or reversed input.
	same := slices.Repeat([]float64{0.25}, 70000)
	lastByte := make([]float64, 70000)
	for i := range lastByte {
		lastByte[i] = math.Float64frombits(math.Float64bits(0.5) + uint64(i%7))
	}
	asc := make([]float64, 70000)
	for i := range asc {
		asc[i] = float64(i) / 100
	}
	desc := slices.Clone(asc)
	slices.Reverse(desc)
	// One key above all the others at the end (a digit shared by all keys
	// but one must still be sorted on), in an LSD-sized and an MSD-sized
	// slice; and two keys alone in a top-level bucket, in ascending order.
	oneAbove := func(n int) []float64 {
		a := slices.Repeat([]float64{0.5}, n)
		a[n-1] = math.Nextafter(0.5, 1)
		return a
	}
	lonePair := slices.Repeat([]float64{0.25}, 70000)
	lonePair[10], lonePair[20] = 1e300, 1e301
	cases := map[string][]float64{
		"same": same, "last byte": lastByte, "ascending": asc, "descending": desc,
		"one above (LSD)": oneAbove(1000), "one above (MSD)": oneAbove(70000), "lone pair": lonePair,
	}
	for name, a := range cases {
		t.Run(name, func(t *testing.T) {
			want := slices.Clone(a)
			slices.SortFunc(want, func(x, y float64) int { return -cmpFloat(x, y) })
			sortDescending(a)
			if !slices.Equal(a, want) {
				t.Fatalf("%s: sort differs", name)
			}
		})
	}
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func TestHistogramBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	s := make([]float64, 20000)
	g := make([]bool, len(s))
	for i := range s {
		g[i] = r.IntN(10) == 0
		s[i] = r.NormFloat64() * 0.2
		if g[i] {
			s[i] += 0.5
		}
		s[i] = math.Max(-0.99, math.Min(0.99, s[i]))
	}
	exact, _ := NewROC(s, g)
	for _, bins := range []int{16, 256, 4096} {
		h, _ := NewHistogram(-1, 1, bins)
		h.Add(s, g)
		hr, err := h.ROC()
		if err != nil {
			t.Fatal(err)
		}
		bound := h.AUCErrorBound()
		if d := math.Abs(hr.AUC() - exact.AUC()); d > bound+1e-12 {
			t.Errorf("%d bins: |AUC error| %v > bound %v", bins, d, bound)
		}
		for _, far := range []float64{1e-3, 1e-2, 0.1, 0.5} {
			lo, hi, err := h.TARBounds(far)
			if err != nil {
				t.Fatal(err)
			}
			tar := exact.TARAtFARInterpolated(far).TAR
			if tar < lo-1e-12 || tar > hi+1e-12 {
				t.Errorf("%d bins: TAR@%v = %v outside [%v, %v]", bins, far, tar, lo, hi)
			}
		}
	}
	h, _ := NewHistogram(0, 1, 4)
	h.Add([]float64{-5, 0.1, 7}, []bool{true, false, false})
	if h.Clamped() != 2 {
		t.Errorf("clamped %d, want 2", h.Clamped())
	}
}

func FuzzCurveUnmarshal(f *testing.F) {
	f.Add([]byte(`{"kind":"exact-curve","genuine":[1,2],"impostor":[0.5]}`))
	f.Add([]byte(`{"kind":"histogram","lo":0,"hi":1,"genuine":[1,0],"impostor":[0,3],"clamped":0}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Curve
		if err := json.Unmarshal(b, &c); err == nil {
			if r, err := c.ROC(); err == nil {
				r.AUC()
				r.EER()
			}
		}
		var h Histogram
		if err := json.Unmarshal(b, &h); err == nil {
			if r, err := h.ROC(); err == nil {
				r.AUC()
				h.AUCErrorBound()
			}
		}
	})
}

func TestPartitionScoresAndOwningCurve(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	s, g := randomScores(r, 3000)
	want, err := NewROC(s, g)
	if err != nil {
		t.Fatal(err)
	}
	work := slices.Clone(s)
	gen, imp, err := PartitionScores(work, g)
	if err != nil {
		t.Fatal(err)
	}
	var ng int
	for _, x := range g {
		if x {
			ng++
		}
	}
	if len(gen) != ng || len(imp) != len(s)-ng {
		t.Fatalf("parts %d + %d, want %d + %d", len(gen), len(imp), ng, len(s)-ng)
	}
	c, err := NewCurveOwning(gen, imp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ROC()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("owning curve ROC differs:\n%s", diff)
	}
	if _, _, err := PartitionScores(s, g[:1]); err == nil {
		t.Error("length mismatch: no error")
	}
	if _, err := NewCurveOwning([]float64{math.NaN()}, nil); err == nil {
		t.Error("NaN: no error")
	}
}

// TestPartitionScoresParallel partitions enough scores to split the work
// among the cores, with genuine scores clustered at chunk edges and
// sparse elsewhere, and checks both parts against a serial split as
// multisets.
func TestPartitionScoresParallel(t *testing.T) {
	const n = 1<<21 + 3
	r := rand.New(rand.NewPCG(17, 18))
	s, g := make([]float64, n), make([]bool, n)
	var wantGen, wantImp []float64
	for i := range s {
		s[i] = r.Float64()
		g[i] = r.IntN(1000) == 0 || (i > n/2-50 && i < n/2+50) || i < 30 || i >= n-30
		if g[i] {
			wantGen = append(wantGen, s[i])
		} else {
			wantImp = append(wantImp, s[i])
		}
	}
	gen, imp, err := PartitionScores(s, g)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name      string
		got, want []float64
	}{{"genuine", gen, wantGen}, {"impostor", imp, wantImp}} {
		got := slices.Clone(p.got)
		slices.Sort(got)
		slices.Sort(p.want)
		if !slices.Equal(got, p.want) {
			t.Errorf("%s part: %d scores, want %d (or other values)", p.name, len(got), len(p.want))
		}
	}
}

// searchAbove is Grid.firstAbove by binary search over the grid values.
func (g Grid) searchAbove(vals []float64, v float64) int {
	return sort.Search(len(vals), func(i int) bool { return vals[i] > v })
}

// Collapsed embeddings (every row the same, or all zero) give insightface's
// 0.50000+-0.00000 (issues #189, #1766, #807).
func TestCollapsedEmbeddings(t *testing.T) {
	for _, v := range []float32{0, 0.3} {
		e := make([]float32, 40*8)
		for i := range e {
			e[i] = v
		}
		emb := nd.Must(nd.FromFloat32(e, 40, 8))
		same := make([]bool, 20)
		for i := range same {
			same[i] = i%2 == 0
		}
		r, err := EvaluateEmbeddings(emb, emb, same, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%1.5f+-%1.5f", r.Accuracy, r.AccuracyStd); got != "0.50000+-0.00000" {
			t.Errorf("value %v: %s", v, got)
		}
		if math.Abs(r.XNorm-math.Sqrt(8)*float64(v)) > 1e-12 {
			t.Errorf("value %v: xnorm %v", v, r.XNorm)
		}
	}
}
