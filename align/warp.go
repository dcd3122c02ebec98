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

// bilinearTab holds OpenCV's fixed-point bilinear weights for each of the
// 32×32 sub-pixel positions (ty, tx): (32−ty)(32−tx), (32−ty)·tx,
// ty·(32−tx) and ty·tx, times 32 so that they sum to 2¹⁵. OpenCV computes
// them from float products that are exact here, so no rounding fix-up
// applies.
var bilinearTab = func() (t [interTabSize * interTabSize][4]int32) {
	for ty := int32(0); ty < interTabSize; ty++ {
		for tx := int32(0); tx < interTabSize; tx++ {
			t[ty*interTabSize+tx] = [4]int32{
				(interTabSize - ty) * (interTabSize - tx) * weightPerCell,
				(interTabSize - ty) * tx * weightPerCell,
				ty * (interTabSize - tx) * weightPerCell,
				ty * tx * weightPerCell,
			}
		}
	}
	return t
}()

// borderPixel is a destination pixel whose 2×2 source neighbourhood is
// not wholly inside src: neighbours outside count as 0 (BORDER_CONSTANT).
func borderPixel(px []uint8, src *image.RGBA, sx, sy int, wt *[4]int32) {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	var s [3]int32
	for k, nb := range [4][2]int{{sx, sy}, {sx + 1, sy}, {sx, sy + 1}, {sx + 1, sy + 1}} {
		if nb[0] < 0 || nb[1] < 0 || nb[0] >= sw || nb[1] >= sh {
			continue
		}
		i := nb[1]*src.Stride + 4*nb[0]
		for c := 0; c < 3; c++ {
			s[c] += int32(src.Pix[i+c]) * wt[k]
		}
	}
	for c := 0; c < 3; c++ {
		px[c] = uint8((s[c] + coefHalf) >> coefBits)
	}
}

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
			wt := &bilinearTab[(Y&(interTabSize-1))*interTabSize+X&(interTabSize-1)]
			px := row[4*x : 4*x+4 : 4*x+4]
			if sx >= 0 && sy >= 0 && sx < sw-1 && sy < sh-1 {
				i := sy*src.Stride + 4*sx
				p01 := src.Pix[i : i+8 : i+8]
				p23 := src.Pix[i+src.Stride : i+src.Stride+8 : i+src.Stride+8]
				px[0] = uint8((int32(p01[0])*wt[0] + int32(p01[4])*wt[1] + int32(p23[0])*wt[2] + int32(p23[4])*wt[3] + coefHalf) >> coefBits)
				px[1] = uint8((int32(p01[1])*wt[0] + int32(p01[5])*wt[1] + int32(p23[1])*wt[2] + int32(p23[5])*wt[3] + coefHalf) >> coefBits)
				px[2] = uint8((int32(p01[2])*wt[0] + int32(p01[6])*wt[1] + int32(p23[2])*wt[2] + int32(p23[6])*wt[3] + coefHalf) >> coefBits)
			} else {
				borderPixel(px, src, sx, sy, wt)
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
