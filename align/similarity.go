package align

import (
	"fmt"
	"math"
)

// Affine is a 2×3 affine matrix [a b c; d e f] mapping (x, y) to
// (a·x + b·y + c, d·x + e·y + f), row-major.
type Affine [6]float64

// Apply maps the point (x, y).
func (m Affine) Apply(x, y float64) (float64, float64) {
	return m[0]*x + m[1]*y + m[2], m[3]*x + m[4]*y + m[5]
}

// Similarity returns the least-squares similarity transform (rotation,
// uniform scale, translation; no reflection) mapping the points src onto
// dst: Umeyama's method with scaling, as scikit-image's
// SimilarityTransform.estimate computes it. For two dimensions the SVD
// has a closed form: with the cross-covariance A = Σ dᵢ sᵢᵀ of the centred
// points, the rotation is atan2(A₁₀ − A₀₁, A₀₀ + A₁₁) and the scale
// ‖(A₀₀ + A₁₁, A₁₀ − A₀₁)‖ / Σ‖sᵢ‖². It fails when the points do not
// determine a transform (fewer than two, or all source points equal).
func Similarity(src, dst [][2]float64) (Affine, error) {
	n := len(src)
	if n != len(dst) {
		return Affine{}, fmt.Errorf("align: %d source points but %d destination points", n, len(dst))
	}
	if n < 2 {
		return Affine{}, fmt.Errorf("align: %d points, want at least 2", n)
	}
	var sm, dm [2]float64
	for i := range src {
		for k := 0; k < 2; k++ {
			if math.IsNaN(src[i][k]) || math.IsInf(src[i][k], 0) || math.IsNaN(dst[i][k]) || math.IsInf(dst[i][k], 0) {
				return Affine{}, fmt.Errorf("align: point %d is (%v, %v) → (%v, %v), want finite coordinates", i, src[i][0], src[i][1], dst[i][0], dst[i][1])
			}
			sm[k] += src[i][k]
			dm[k] += dst[i][k]
		}
	}
	sm[0], sm[1], dm[0], dm[1] = sm[0]/float64(n), sm[1]/float64(n), dm[0]/float64(n), dm[1]/float64(n)
	var a00, a01, a10, a11, ss float64
	for i := range src {
		sx, sy := src[i][0]-sm[0], src[i][1]-sm[1]
		dx, dy := dst[i][0]-dm[0], dst[i][1]-dm[1]
		a00 += dx * sx
		a01 += dx * sy
		a10 += dy * sx
		a11 += dy * sy
		ss += sx*sx + sy*sy
	}
	p, q := a00+a11, a10-a01
	r := math.Hypot(p, q)
	if ss == 0 || r == 0 {
		return Affine{}, fmt.Errorf("align: the points do not determine a similarity transform (all source points equal, or no rotation fits)")
	}
	scale := r / ss
	c, s := scale*p/r, scale*q/r
	return Affine{
		c, -s, dm[0] - (c*sm[0] - s*sm[1]),
		s, c, dm[1] - (s*sm[0] + c*sm[1]),
	}, nil
}

// ArcFaceTemplate is insightface's arcface_dst: where the five landmarks
// (left eye, right eye, nose tip, left and right mouth corner) go in a
// 112×112 crop. The values are float32, as insightface declares them.
var ArcFaceTemplate = [5][2]float32{
	{38.2946, 51.6963},
	{73.5318, 51.5014},
	{56.0252, 71.7366},
	{41.5493, 92.3655},
	{70.7299, 92.2041},
}

// Template returns the ArcFace template for a size×size crop as
// insightface's estimate_norm scales it: for a multiple of 112 multiplied
// by size/112; for a multiple of 128 by size/128 and shifted right by
// 8·size/128 (float32 arithmetic, as numpy does it on the float32 array).
func Template(size int) ([5][2]float64, error) {
	var out [5][2]float64
	var ratio, diffX float32
	switch {
	case size > 0 && size%112 == 0:
		ratio = float32(float64(size) / 112)
	case size > 0 && size%128 == 0:
		ratio = float32(float64(size) / 128)
		diffX = float32(8 * (float64(size) / 128))
	default:
		return out, fmt.Errorf("align: crop size %d, want a positive multiple of 112 or 128", size)
	}
	for i, p := range ArcFaceTemplate {
		out[i] = [2]float64{float64(p[0]*ratio + diffX), float64(p[1] * ratio)}
	}
	return out, nil
}

// EstimateNorm returns insightface's estimate_norm transform: the
// similarity mapping the five landmarks (x, y pairs in the source image)
// onto the template for a size×size crop. Like scikit-image handed
// insightface's float32 arrays, it takes the means, the cross-covariance
// and the variances in float32 (numpy's order of operations) and rounds the
// singular values to float32; only the rotation itself is float64 here
// where LAPACK's is float32, so the matrix agrees with scikit-image's to
// about 1e-7 instead of 1e-5.
func EstimateNorm(landmarks [5][2]float32, size int) (Affine, error) {
	tpl, err := Template(size)
	if err != nil {
		return Affine{}, err
	}
	var dst [5][2]float32
	for i, p := range tpl {
		dst[i] = [2]float32{float32(p[0]), float32(p[1])}
	}
	return similarity32(landmarks, dst)
}

// mean32 is numpy's float32 mean along axis 0 of a (5, 2) array.
func mean32(p [5][2]float32) [2]float32 {
	s := p[0]
	for _, q := range p[1:] {
		s[0] += q[0]
		s[1] += q[1]
	}
	return [2]float32{s[0] / 5, s[1] / 5}
}

// similarity32 is scikit-image's _umeyama on float32 (5, 2) arrays.
func similarity32(src, dst [5][2]float32) (Affine, error) {
	for i := range src {
		for k := 0; k < 2; k++ {
			if v, w := float64(src[i][k]), float64(dst[i][k]); math.IsNaN(v) || math.IsInf(v, 0) || math.IsNaN(w) || math.IsInf(w, 0) {
				return Affine{}, fmt.Errorf("align: point %d is (%v, %v) → (%v, %v), want finite coordinates", i, src[i][0], src[i][1], dst[i][0], dst[i][1])
			}
		}
	}
	sm, dm := mean32(src), mean32(dst)
	var sd, dd, sq [5][2]float32
	for i := range src {
		for k := 0; k < 2; k++ {
			sd[i][k], dd[i][k] = src[i][k]-sm[k], dst[i][k]-dm[k]
		}
	}
	// A = dd.T @ sd / 5. numpy hands the float32 product to OpenBLAS's
	// sgemm, which on current x86 CPUs accumulates each entry with fused
	// multiply-adds in row order: reproduced here (a float32 product is
	// exact in float64, so one float64 FMA rounded to float32 is the float32
	// FMA except in double-rounding ties).
	var a [2][2]float32
	for r := 0; r < 2; r++ {
		for c := 0; c < 2; c++ {
			var s float32
			for i := range sd {
				s = float32(math.FMA(float64(dd[i][r]), float64(sd[i][c]), float64(s)))
			}
			a[r][c] = s / 5
		}
	}
	// src_demean.var(axis=0).sum(): numpy centres again on the float32 mean.
	vm := mean32(sd)
	for i := range sd {
		for k := 0; k < 2; k++ {
			d := sd[i][k] - vm[k]
			sq[i][k] = d * d
		}
	}
	vs := mean32(sq)
	variance := vs[0] + vs[1]
	a00, a01, a10, a11 := float64(a[0][0]), float64(a[0][1]), float64(a[1][0]), float64(a[1][1])
	p, q := a00+a11, a10-a01
	r, r2 := math.Hypot(p, q), math.Hypot(a00-a11, a01+a10)
	if variance == 0 || r == 0 {
		return Affine{}, fmt.Errorf("align: the points do not determine a similarity transform (all source points equal, or no rotation fits)")
	}
	// Singular values (r ± r2)/2, as LAPACK's float32 SVD rounds them;
	// d flips the second when det(A) < 0.
	s1, s2 := float64(float32((r+r2)/2)), float64(float32(math.Abs(r-r2)/2))
	if a00*a11-a01*a10 < 0 {
		s2 = -s2
	}
	scale := 1 / float64(variance) * (s1 + s2)
	c, s := p/r, q/r
	smx, smy := float64(sm[0]), float64(sm[1])
	return Affine{
		scale * c, scale * -s, float64(dm[0]) - scale*(c*smx-s*smy),
		scale * s, scale * c, float64(dm[1]) - scale*(s*smx+c*smy),
	}, nil
}
