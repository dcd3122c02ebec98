package verify

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// lfwSized returns LFW-sized synthetic data: 6000 pairs of 512-d float32
// embeddings with flips, 10 folds of 300 same then 300 different pairs.
func lfwSized(b *testing.B) (emb, flip *nd.Array, issame []bool) {
	b.Helper()
	e, f, same := pairEmbeddings(6000, 512, 10, 3.0, 7)
	return nd.Must(nd.FromFloat32(e, 12000, 512)), nd.Must(nd.FromFloat32(f, 12000, 512)), same
}

// BenchmarkPairScores scores 6000 LFW-sized pairs with flips, with the
// vector kernel (where the CPU has one) and with the plain Go path.
func BenchmarkPairScores(b *testing.B) {
	emb, flip, _ := lfwSized(b)
	benchmarkPairScores(b, emb, flip, 4)
}

// benchmarkPairScores runs PairScores on emb and flip (elements of size
// bytes) as sub-benchmarks "vector" and "plain".
func benchmarkPairScores(b *testing.B, emb, flip *nd.Array, size int64) {
	have := haveVectorKernel
	defer func() { haveVectorKernel = have }()
	for _, vec := range []bool{true, false} {
		name := "plain"
		if vec {
			name = "vector"
		}
		b.Run(name, func(b *testing.B) {
			if vec && !have {
				b.Skip("no vector kernel here")
			}
			haveVectorKernel = vec
			b.SetBytes(2 * 12000 * 512 * size)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := PairScores(emb, flip, SquaredL2); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchmarkEvaluate(b *testing.B, mode Mode) {
	emb, flip, same := lfwSized(b)
	d, _, err := PairScores(emb, flip, SquaredL2)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(d, same, Options{Mode: mode}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateGrid is insightface's full 10-fold protocol (400 + 4000
// thresholds) on 6000 pairs, from distances.
func BenchmarkEvaluateGrid(b *testing.B) { benchmarkEvaluate(b, GridMode) }

// BenchmarkEvaluateExact is the exact-threshold protocol on 6000 pairs.
func BenchmarkEvaluateExact(b *testing.B) { benchmarkEvaluate(b, ExactMode) }

func curveScores(n int) ([]float64, []bool) {
	g := &glibcLCG{s: 1}
	s := make([]float64, n)
	l := make([]bool, n)
	for i := range s {
		l[i] = g.next() < 0.01
		v := g.next()
		if l[i] {
			v += 0.5
		}
		s[i] = float64(float32(v))
	}
	return s, l
}

// BenchmarkCurveROC1M adds 1M scores to a Curve and computes the exact ROC
// (radix sort) and the TAR@FAR table.
func BenchmarkCurveROC1M(b *testing.B) {
	s, l := curveScores(1 << 20)
	b.SetBytes(int64(len(s)) * 8)
	b.ReportAllocs()
	for b.Loop() {
		var c Curve
		if err := c.Add(s, l); err != nil {
			b.Fatal(err)
		}
		r, err := c.ROC()
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range StandardFARs {
			r.TARAtFAR(f)
		}
	}
}

// BenchmarkCurveAdd measures the steady-state cost of Add into a curve
// whose storage is already large enough (after Reset).
func BenchmarkCurveAdd(b *testing.B) {
	s, l := curveScores(4096)
	var c Curve
	for i := 0; i < 64; i++ {
		c.Add(s, l)
	}
	b.SetBytes(int64(len(s)) * 8)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%64 == 0 {
			c.Reset()
		}
		i++
		if err := c.Add(s, l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHistogramAdd(b *testing.B) {
	s, l := curveScores(4096)
	h, err := NewHistogram(0, 1.5, 1<<16)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(s)) * 8)
	b.ReportAllocs()
	for b.Loop() {
		if err := h.Add(s, l); err != nil {
			b.Fatal(err)
		}
	}
}

// ijbSized returns IJB-like templates: nt templates of 512-d features from
// 4·nt images (ids spaced as IJB-C's), and np template pairs.
func ijbSized(b *testing.B, nt, np int) (*Templates, []int64, []int64) {
	b.Helper()
	g := &glibcLCG{s: 5}
	n := 4 * nt
	feats := make([]float32, n*1024)
	for i := range feats {
		feats[i] = float32(g.next() - 0.5)
	}
	tids, mids := make([]int64, n), make([]int64, n)
	for i := range tids {
		tids[i] = int64(3 * (i % nt))
		mids[i] = int64(i % (2 * nt))
	}
	tm, err := AggregateTemplates(nd.Must(nd.FromFloat32(feats, n, 1024)), tids, mids, TemplateOptions{FlipHalves: true})
	if err != nil {
		b.Fatal(err)
	}
	p1, p2 := make([]int64, np), make([]int64, np)
	for k := range p1 {
		p1[k] = int64(3 * int(g.next()*float64(nt)))
		p2[k] = int64(3 * int(g.next()*float64(nt)))
	}
	return tm, p1, p2
}

// BenchmarkTemplateScores scores 1 M template pairs of 512-d features (IJB-C
// has 15.7 M pairs of 23,124 templates).
func BenchmarkTemplateScores(b *testing.B) {
	tm, p1, p2 := ijbSized(b, 5000, 1<<20)
	b.SetBytes(int64(len(p1)) * 2 * 512 * 8)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tm.Scores(p1, p2); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAggregateTemplates aggregates 20,000 images of 2 × 512 float32
// features into 5,000 templates with flips and detector scores.
func BenchmarkAggregateTemplates(b *testing.B) {
	g := &glibcLCG{s: 6}
	const n, nt = 20000, 5000
	feats := make([]float32, n*1024)
	for i := range feats {
		feats[i] = float32(g.next() - 0.5)
	}
	tids, mids := make([]int64, n), make([]int64, n)
	det := make([]float32, n)
	for i := range tids {
		tids[i] = int64(3 * (i % nt))
		mids[i] = int64(i % (2 * nt))
		det[i] = float32(0.5 + g.next()/2)
	}
	a := nd.Must(nd.FromFloat32(feats, n, 1024))
	b.SetBytes(int64(len(feats)) * 4)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AggregateTemplates(a, tids, mids, TemplateOptions{FlipHalves: true, DetectorScores: det}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPairScores64 is BenchmarkPairScores on float64 embeddings (as
// insightface's test() holds them).
func BenchmarkPairScores64(b *testing.B) {
	e32, f32, _ := lfwSized(b)
	emb := nd.Must(nd.FromFloat64(e32.AppendFloat64(nil), 12000, 512))
	flip := nd.Must(nd.FromFloat64(f32.AppendFloat64(nil), 12000, 512))
	benchmarkPairScores(b, emb, flip, 8)
}

// BenchmarkPairScoresFrom is BenchmarkPairScores/vector with the rows read
// from .npy files a block at a time (nd.NpyRows, the page cache warm).
func BenchmarkPairScoresFrom(b *testing.B) {
	emb, flip, _ := lfwSized(b)
	dir := b.TempDir()
	var rs [2]*nd.NpyRows
	for i, a := range []*nd.Array{emb, flip} {
		p := filepath.Join(dir, fmt.Sprintf("%d.npy", i))
		if err := nd.WriteNpyFile(p, a); err != nil {
			b.Fatal(err)
		}
		r, err := nd.OpenNpyRows(p)
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		rs[i] = r
	}
	b.SetBytes(2 * 12000 * 512 * 4)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := PairScoresFrom(rs[0], rs[1], SquaredL2); err != nil {
			b.Fatal(err)
		}
	}
}

// ijbcTemplates returns IJB-C-sized templates built directly (23,124 random
// unit rows of 512 values, ids spaced as IJB-C's) and np pairs listed as a
// pair file lists them: first templates ascending, second ones random.
func ijbcTemplates(b *testing.B, np int) (*Templates, *fakePairs) {
	b.Helper()
	const nt, d = 23124, 512
	g := &glibcLCG{s: 8}
	ids := make([]int64, nt)
	for i := range ids {
		ids[i] = int64(1 + 7*i)
	}
	u, index := uniqueIDs(ids)
	t := &Templates{IDs: u, Dim: d, Features: make([]float64, nt*d), index: index, plan: newDotPlan(d)}
	for k := range nt {
		row := t.Features[k*d : (k+1)*d]
		for j := range row {
			row[j] = g.next() - 0.5
		}
		sc := math.Sqrt(einsumSquares(row))
		for j := range row {
			row[j] /= sc
		}
	}
	src := &fakePairs{size: 290_000, t1: make([]int64, np), t2: make([]int64, np), lab: make([]int8, np)}
	for k := range np {
		src.t1[k] = ids[k*(nt/2)/np]
		src.t2[k] = ids[nt/2+int(g.next()*float64(nt/2))]
	}
	return t, src
}

// BenchmarkScorePairSource scores 2 M IJB-C-like template pairs streamed
// in blocks (the pair file has 15.7 M).
func BenchmarkScorePairSource(b *testing.B) {
	t, src := ijbcTemplates(b, 2_000_000)
	b.SetBytes(int64(len(src.t1)) * 2 * 512 * 8)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := t.ScorePairSource(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCurveROCIJBC is the exact ROC at IJB-C's size, the ROC phase of
// evalkit ijb: 15,658,489 scores, 19,557 genuine, the impostor scores
// normal and on a grid of 2^-29 so that about one in eighteen ties with
// another, as the IJB-C-scale benchmark's cosine scores do (1.6 M ROC
// points kept). Each round copies the scores into the curve's slices.
func BenchmarkCurveROCIJBC(b *testing.B) {
	const n, ng = 15_658_489, 19_557
	r := rand.New(rand.NewPCG(12, 1))
	gen, imp := make([]float64, ng), make([]float64, n-ng)
	for i := range gen {
		gen[i] = 0.45 + 0.15*r.NormFloat64()
	}
	for i := range imp {
		imp[i] = math.Round((0.06*r.NormFloat64())*(1<<29)) / (1 << 29)
	}
	g, im := make([]float64, ng), make([]float64, n-ng)
	b.SetBytes(n * 8)
	b.ReportAllocs()
	var points int
	for b.Loop() {
		copy(g, gen)
		copy(im, imp)
		c, err := NewCurveOwning(g, im)
		if err != nil {
			b.Fatal(err)
		}
		roc, err := c.ROC()
		if err != nil {
			b.Fatal(err)
		}
		points = len(roc.FPR)
	}
	b.ReportMetric(float64(points), "points")
}
