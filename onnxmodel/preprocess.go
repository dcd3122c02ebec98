package onnxmodel

import (
	"image"
	"image/color"
	"math"
)

// rgb8 writes img as w×h interleaved 8-bit RGB into dst (len w·h·3),
// resizing bilinearly when its size differs; full is scratch for the
// unresized pixels and is returned (grown) for reuse.
func rgb8(dst []uint8, img image.Image, w, h int, full []uint8) []uint8 {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	if sw == w && sh == h {
		toRGB(dst, img)
		return full
	}
	if cap(full) < sw*sh*3 {
		full = make([]uint8, sw*sh*3)
	}
	full = full[:sw*sh*3]
	toRGB(full, img)
	resizeBilinear(dst, w, h, full, sw, sh)
	return full
}

// toRGB copies img's pixels as interleaved 8-bit RGB (alpha dropped, as
// OpenCV's IMREAD_COLOR does).
func toRGB(dst []uint8, img image.Image) {
	b := img.Bounds()
	w := b.Dx()
	switch m := img.(type) {
	case *image.RGBA:
		for y := 0; y < b.Dy(); y++ {
			src := m.Pix[(y)*m.Stride : (y)*m.Stride+4*w]
			d := dst[y*w*3 : (y+1)*w*3]
			for x := 0; x < w; x++ {
				d[3*x], d[3*x+1], d[3*x+2] = src[4*x], src[4*x+1], src[4*x+2]
			}
		}
	case *image.NRGBA:
		for y := 0; y < b.Dy(); y++ {
			src := m.Pix[(y)*m.Stride : (y)*m.Stride+4*w]
			d := dst[y*w*3 : (y+1)*w*3]
			for x := 0; x < w; x++ {
				d[3*x], d[3*x+1], d[3*x+2] = src[4*x], src[4*x+1], src[4*x+2]
			}
		}
	case *image.YCbCr:
		for y := 0; y < b.Dy(); y++ {
			d := dst[y*w*3 : (y+1)*w*3]
			for x := 0; x < w; x++ {
				yi := m.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := m.COffset(b.Min.X+x, b.Min.Y+y)
				d[3*x], d[3*x+1], d[3*x+2] = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			}
		}
	case *image.Gray:
		for y := 0; y < b.Dy(); y++ {
			src := m.Pix[y*m.Stride : y*m.Stride+w]
			d := dst[y*w*3 : (y+1)*w*3]
			for x, v := range src {
				d[3*x], d[3*x+1], d[3*x+2] = v, v, v
			}
		}
	default:
		for y := 0; y < b.Dy(); y++ {
			d := dst[y*w*3 : (y+1)*w*3]
			for x := 0; x < w; x++ {
				c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
				d[3*x], d[3*x+1], d[3*x+2] = c.R, c.G, c.B
			}
		}
	}
}

// resizeBilinear resizes interleaved RGB as OpenCV's cv2.resize with
// INTER_LINEAR maps coordinates (pixel centres aligned, edges clamped), in
// floating point where OpenCV uses 11-bit fixed-point weights.
func resizeBilinear(dst []uint8, w, h int, src []uint8, sw, sh int) {
	coord := func(i, n, sn int) (int, int, float32) {
		f := (float64(i)+0.5)*float64(sn)/float64(n) - 0.5
		i0 := int(math.Floor(f))
		a := float32(f - float64(i0))
		if i0 < 0 {
			return 0, 0, 0
		}
		if i0 >= sn-1 {
			return sn - 1, sn - 1, 0
		}
		return i0, i0 + 1, a
	}
	for y := 0; y < h; y++ {
		y0, y1, fy := coord(y, h, sh)
		for x := 0; x < w; x++ {
			x0, x1, fx := coord(x, w, sw)
			for c := 0; c < 3; c++ {
				p00 := float32(src[(y0*sw+x0)*3+c])
				p01 := float32(src[(y0*sw+x1)*3+c])
				p10 := float32(src[(y1*sw+x0)*3+c])
				p11 := float32(src[(y1*sw+x1)*3+c])
				v := (p00*(1-fx)+p01*fx)*(1-fy) + (p10*(1-fx)+p11*fx)*fy
				dst[(y*w+x)*3+c] = uint8(min(255, max(0, v+0.5)))
			}
		}
	}
}

// layout is how an image sits in the input tensor.
type layout int

const (
	nchw layout = iota
	nhwc
)

// writeInput writes interleaved RGB pixels (w×h) as one input row of the
// tensor: (x − mean)·scale in float32, as OpenCV's blobFromImages computes
// ArcFaceONNX's input, mirrored left–right when mirror is set.
func writeInput(dst []float32, rgb []uint8, w, h int, lay layout, mean, scale float32, mirror bool) {
	var lut [256]float32 // the same float32 operations, once per value
	for v := range lut {
		lut[v] = (float32(v) - mean) * scale
	}
	hw := w * h
	dst = dst[:3*hw]
	for y := 0; y < h; y++ {
		row := rgb[y*w*3 : (y+1)*w*3]
		if lay == nhwc {
			out := dst[y*w*3 : (y+1)*w*3]
			for x := 0; x < w; x++ {
				sx := x
				if mirror {
					sx = w - 1 - x
				}
				p := row[3*sx : 3*sx+3]
				o := out[3*x : 3*x+3]
				o[0], o[1], o[2] = lut[p[0]], lut[p[1]], lut[p[2]]
			}
			continue
		}
		r, g, b := dst[y*w:(y+1)*w], dst[hw+y*w:hw+(y+1)*w], dst[2*hw+y*w:2*hw+(y+1)*w]
		if mirror {
			for x := 0; x < w; x++ {
				p := row[3*(w-1-x) : 3*(w-1-x)+3]
				r[x], g[x], b[x] = lut[p[0]], lut[p[1]], lut[p[2]]
			}
			continue
		}
		for x := 0; x < w; x++ {
			p := row[3*x : 3*x+3]
			r[x], g[x], b[x] = lut[p[0]], lut[p[1]], lut[p[2]]
		}
	}
}
