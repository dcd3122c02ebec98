package model

import "math"

// softmaxRows writes p[i,:] = softmax(z[i,:]) for rows [lo, hi) of width n,
// max-subtracted, accumulated in float64. With labels it also stores
// loss[i] = −log softmax(z[i,:])[label[i]] computed as a float64 log-sum-exp.
// insightface's ce_loss takes the log of the float32 softmax output instead,
// which becomes +Inf as soon as a target probability underflows (easily with
// s = 64); evalkit reports the finite value.
func softmaxRows(p, z []float32, labels []int32, loss []float64, n, lo, hi int) {
	for i := lo; i < hi; i++ {
		zi, pi := z[i*n:i*n+n], p[i*n:i*n+n]
		mx := zi[0]
		for _, v := range zi[1:] {
			if v > mx {
				mx = v
			}
		}
		var sum float64
		for j, v := range zi {
			e := math.Exp(float64(v) - float64(mx))
			pi[j] = float32(e)
			sum += e
		}
		inv := 1 / sum
		for j, v := range pi {
			pi[j] = float32(float64(v) * inv)
		}
		if labels != nil {
			loss[i] = float64(mx) + math.Log(sum) - float64(zi[labels[i]])
		}
	}
}

// softmaxCEBackward writes dz[i,:] = (p[i,:] − onehot(label[i]))·scale for
// rows [lo, hi): the gradient of MXNet's SoftmaxOutput with
// normalization='valid' when scale = 1/batch.
func softmaxCEBackward(dz, p []float32, labels []int32, scale float64, n, lo, hi int) {
	for i := lo; i < hi; i++ {
		pi, dzi := p[i*n:i*n+n], dz[i*n:i*n+n]
		y := int(labels[i])
		for j, v := range pi {
			g := float64(v)
			if j == y {
				g--
			}
			dzi[j] = float32(g * scale)
		}
	}
}
