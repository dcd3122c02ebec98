package align

import (
	"fmt"
	"image"
	"image/draw"
	"math"
)

// OpenCV's fixed-point constants for bilinear warps (imgwarp.cpp).
const (
	interBits     = 5              // INTER_BITS: sub-pixel positions in 1/32 pixel
	interTabSize  = 1 << interBits // INTER_TAB_SIZE
	abBits        = 10             // AB_BITS = max(10, INTER_BITS)
	abScale       = 1 << abBits    // AB_SCALE
	roundDelta    = abScale / interTabSize / 2
	coefBits      = 15 // INTER_REMAP_COEF_BITS
	coefHalf      = 1 << (coefBits - 1)
	weightPerCell = (1 << coefBits) / (interTabSize * interTabSize)
)

// Invert returns the inverse of m as OpenCV's warpAffine computes it
// (a singular matrix inverts to zeros, as there).
func (m Affine) Invert() Affine {
	d := m[0]*m[4] - m[1]*m[3]
	if d != 0 {
		d = 1 / d
	}
	a11, a22 := m[4]*d, m[0]*d
	m[0], m[1], m[3], m[4] = a11, m[1]*-d, m[3]*-d, a22
	b1 := -m[0]*m[2] - m[1]*m[5]
	b2 := -m[3]*m[2] - m[4]*m[5]
	m[2], m[5] = b1, b2
	return m
}

// cvRound is OpenCV's saturate_cast<int>(double): round half to even,
// clamped to the int32 range.
func cvRound(v float64) int32 {
	r := math.RoundToEven(v)
	switch {
	case r >= math.MaxInt32:
		return math.MaxInt32
	case r <= math.MinInt32 || math.IsNaN(r):
		return math.MinInt32
	}
	return int32(r)
}

// saturateShort is saturate_cast<short>.
func saturateShort(v int32) int32 { return min(max(v, math.MinInt16), math.MaxInt16) }

// Warper warps images with OpenCV's bilinear warpAffine. It keeps the
// per-column offsets of its last matrix and output width, so warping many
// crops allocates nothing. A Warper is used by one goroutine at a time.
type Warper struct {
	adelta, bdelta []int32
}

// WarpAffine sets every pixel of dst to src sampled at m⁻¹·(x, y), as
// cv2.warpAffine(src, m, dst size, flags=INTER_LINEAR,
// borderMode=BORDER_CONSTANT, borderValue=0) does: m maps source to
// destination coordinates. Pixels whose neighbours fall outside src take 0
// for those neighbours; alpha is set to 255. dst's bounds must start at
// (0, 0) and src's too.
func (w *Warper) WarpAffine(dst, src *image.RGBA, m Affine) error {
	if dst.Rect.Min != (image.Point{}) || src.Rect.Min != (image.Point{}) {
		return fmt.Errorf("align: images must start at (0, 0), got %v and %v", dst.Rect, src.Rect)
	}
	for _, v := range m {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("align: transform %v is not finite", m)
		}
	}
	im := m.Invert()
	dw, dh := dst.Rect.Dx(), dst.Rect.Dy()
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	if cap(w.adelta) < dw {
		w.adelta, w.bdelta = make([]int32, dw), make([]int32, dw)
	}
	ad, bd := w.adelta[:dw], w.bdelta[:dw]
	for x := range ad {
		ad[x] = cvRound(im[0] * float64(x) * abScale)
		bd[x] = cvRound(im[3] * float64(x) * abScale)
	}
	for y := 0; y < dh; y++ {
		x0 := cvRound((im[1]*float64(y)+im[2])*abScale) + roundDelta
		y0 := cvRound((im[4]*float64(y)+im[5])*abScale) + roundDelta
		row := dst.Pix[y*dst.Stride : y*dst.Stride+4*dw]
		for x := 0; x < dw; x++ {
			X := (x0 + ad[x]) >> (abBits - interBits)
			Y := (y0 + bd[x]) >> (abBits - interBits)
			sx, sy := int(saturateShort(X>>interBits)), int(saturateShort(Y>>interBits))
			tx, ty := X&(interTabSize-1), Y&(interTabSize-1)
			w0 := (interTabSize - ty) * (interTabSize - tx) * weightPerCell
			w1 := (interTabSize - ty) * tx * weightPerCell
			w2 := ty * (interTabSize - tx) * weightPerCell
			w3 := ty * tx * weightPerCell
			px := row[4*x : 4*x+4]
			if sx >= 0 && sy >= 0 && sx < sw-1 && sy < sh-1 {
				i := sy*src.Stride + 4*sx
				p0, p1 := src.Pix[i:i+4], src.Pix[i+4:i+8]
				p2, p3 := src.Pix[i+src.Stride:i+src.Stride+4], src.Pix[i+src.Stride+4:i+src.Stride+8]
				for c := 0; c < 3; c++ {
					px[c] = uint8((int32(p0[c])*w0 + int32(p1[c])*w1 + int32(p2[c])*w2 + int32(p3[c])*w3 + coefHalf) >> coefBits)
				}
			} else {
				var s [3]int32
				for _, nb := range [4]struct {
					x, y int
					w    int32
				}{{sx, sy, w0}, {sx + 1, sy, w1}, {sx, sy + 1, w2}, {sx + 1, sy + 1, w3}} {
					if nb.x < 0 || nb.y < 0 || nb.x >= sw || nb.y >= sh {
						continue
					}
					i := nb.y*src.Stride + 4*nb.x
					for c := 0; c < 3; c++ {
						s[c] += int32(src.Pix[i+c]) * nb.w
					}
				}
				for c := 0; c < 3; c++ {
					px[c] = uint8((s[c] + coefHalf) >> coefBits)
				}
			}
			px[3] = 255
		}
	}
	return nil
}

// NormCrop returns insightface's face_align.norm_crop of img: the
// size×size crop that puts the five landmarks on the ArcFace template.
func NormCrop(img image.Image, landmarks [5][2]float32, size int) (*image.RGBA, error) {
	m, err := EstimateNorm(landmarks, size)
	if err != nil {
		return nil, err
	}
	src, ok := img.(*image.RGBA)
	if !ok || src.Rect.Min != (image.Point{}) {
		b := img.Bounds()
		src = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(src, src.Rect, img, b.Min, draw.Src)
	}
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	var w Warper
	if err := w.WarpAffine(dst, src, m); err != nil {
		return nil, err
	}
	return dst, nil
}
