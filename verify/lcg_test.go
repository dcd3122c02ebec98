package verify

import "math"

// glibcLCG is the generator of the hand-checked synthetic examples and of the
// golden files under testdata/verify: s ← (1103515245·s + 12345) mod 2³¹,
// u = s / 2³¹ (every operation exact in float64, so Python reproduces it
// bit for bit).
type glibcLCG struct{ s uint64 }

func (g *glibcLCG) next() float64 {
	g.s = (1103515245*g.s + 12345) % (1 << 31)
	return float64(g.s) / (1 << 31)
}

// mean4 is (u+u+u+u)·0.25 with the draws in order.
func (g *glibcLCG) mean4() float64 {
	a := g.next()
	a += g.next()
	a += g.next()
	a += g.next()
	return a * 0.25
}

// spec4Scores returns the synthetic IJB example: 1000 genuine scores
// 0.9·mean4+0.1, then 200000 impostor scores 0.6·mean4 − 0.2, from LCG(2024).
func spec4Scores() (scores []float64, genuine []bool) {
	g := &glibcLCG{s: 2024}
	for i := 0; i < 1000; i++ {
		scores = append(scores, float64(0.9*g.mean4())+0.1)
		genuine = append(genuine, true)
	}
	for i := 0; i < 200000; i++ {
		scores = append(scores, float64(0.6*g.mean4())-0.2)
		genuine = append(genuine, false)
	}
	return scores, genuine
}

// pairEmbeddings mirrors pair_embeddings in testdata/verify/lcg.py: float32
// original and flipped embeddings (rows 2i, 2i+1 = pair i) and issame, the
// first half of every fold block being same pairs. The float64 conversions
// keep each product rounded on its own, as Python computes it.
func pairEmbeddings(pairs, dims, folds int, noise float64, seed uint64) (emb, flip []float32, issame []bool) {
	g := &glibcLCG{s: seed}
	emb = make([]float32, 2*pairs*dims)
	flip = make([]float32, 2*pairs*dims)
	block := pairs / folds
	base := make([]float64, dims)
	other := make([]float64, dims)
	for i := 0; i < pairs; i++ {
		same := i%block < block/2
		issame = append(issame, same)
		for j := range base {
			base[j] = g.next() - 0.5
		}
		for j := range other {
			other[j] = g.next() - 0.5
		}
		r0, r1 := emb[2*i*dims:(2*i+1)*dims], emb[(2*i+1)*dims:(2*i+2)*dims]
		for j := range r0 {
			r0[j] = float32(base[j] + float64(noise*(g.next()-0.5)))
		}
		for j := range r1 {
			b := other[j]
			if same {
				b = base[j]
			}
			r1[j] = float32(b + float64(noise*(g.next()-0.5)))
		}
		for r := 2 * i; r < 2*i+2; r++ {
			for j := 0; j < dims; j++ {
				flip[r*dims+j] = float32(float64(emb[r*dims+j]) + float64(0.3*(g.next()-0.5)))
			}
		}
	}
	return emb, flip, issame
}

// rocTies mirrors ties() in testdata/verify/gen_roc.py: scores on a grid of
// 1/50 (many ties), genuine with probability 0.2 + 0.6·score.
func rocTies() (scores []float64, genuine []bool) {
	g := &glibcLCG{s: 99}
	for i := 0; i < 5000; i++ {
		v := math.Floor(g.next()*50) / 50
		scores = append(scores, v)
		genuine = append(genuine, g.next() < 0.2+float64(0.6*v))
	}
	return scores, genuine
}

// rocFloat32 mirrors float32_scores() in gen_roc.py.
func rocFloat32() (scores []float64, genuine []bool) {
	g := &glibcLCG{s: 5}
	for i := 0; i < 20000; i++ {
		lab := g.next() < 0.1
		off := 0.0
		if lab {
			off = 0.15
		}
		scores = append(scores, float64(float32(g.mean4()+off)))
		genuine = append(genuine, lab)
	}
	return scores, genuine
}

// specSmall is a hand-worked 10-score ROC example.
func specSmall() ([]float64, []bool) {
	return []float64{.9, .8, .8, .7, .6, .5, .5, .4, .3, .2},
		[]bool{true, true, false, false, true, false, false, false, false, false}
}
