package imagedec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	_ "image/png" // PNG images in .bin files decode exactly with Go's decoder
	"sync"
)

// Backend is the JPEG decoder a Decoder uses.
type Backend int

const (
	// Auto uses libjpeg-turbo when its library loads and Go's image/jpeg
	// otherwise.
	Auto Backend = iota
	// LibJPEGTurbo requires libjpeg-turbo (TurboJPEG): New fails without it.
	LibJPEGTurbo
	// GoJPEG is Go's image/jpeg, which does not reproduce OpenCV's pixels.
	GoJPEG
)

// String returns "auto", "libjpeg-turbo" or "go".
func (b Backend) String() string {
	switch b {
	case Auto:
		return "auto"
	case LibJPEGTurbo:
		return "libjpeg-turbo"
	case GoJPEG:
		return "go"
	}
	return fmt.Sprintf("Backend(%d)", int(b))
}

// ParseBackend parses "auto", "libjpeg-turbo" (or "turbo") and "go".
func ParseBackend(s string) (Backend, error) {
	switch s {
	case "auto", "":
		return Auto, nil
	case "libjpeg-turbo", "turbo":
		return LibJPEGTurbo, nil
	case "go":
		return GoJPEG, nil
	}
	return 0, fmt.Errorf("imagedec: JPEG decoder %q, want auto, libjpeg-turbo or go", s)
}

// DefaultMaxPixels is the largest image (width × height) a Decoder accepts
// unless Options.MaxPixels says otherwise: a corrupt header cannot make it
// allocate more than 4 bytes × this.
const DefaultMaxPixels = 1 << 26

// Options configure a Decoder. The zero value is the default.
type Options struct {
	// Backend chooses the JPEG decoder; Auto by default.
	Backend Backend
	// LibPath is the TurboJPEG library to load; empty means TURBOJPEG_LIB,
	// then libturbojpeg.so.0 through the dynamic loader's search path.
	LibPath string
	// MaxPixels bounds width × height; 0 means DefaultMaxPixels.
	MaxPixels int
}

// Decoder decodes encoded images. It is safe for concurrent use.
type Decoder struct {
	backend   Backend
	note      string
	maxPixels int
	lib       *turboLib
	handles   sync.Pool // *turboHandle
}

// New returns a Decoder for o. With Backend Auto a missing TurboJPEG library
// is not an error: the Decoder uses image/jpeg and Note says why.
func New(o Options) (*Decoder, error) {
	d := &Decoder{backend: o.Backend, maxPixels: o.MaxPixels}
	if d.maxPixels <= 0 {
		d.maxPixels = DefaultMaxPixels
	}
	switch o.Backend {
	case GoJPEG:
		return d, nil
	case Auto, LibJPEGTurbo:
	default:
		return nil, fmt.Errorf("imagedec: unknown backend %d", int(o.Backend))
	}
	lib, err := loadTurbo(turboPath(o.LibPath))
	if err != nil {
		if o.Backend == LibJPEGTurbo {
			return nil, fmt.Errorf("%w (install Debian's libturbojpeg0, or set TURBOJPEG_LIB)", err)
		}
		d.backend = GoJPEG
		d.note = fmt.Sprintf("%v; decoding JPEG with Go's image/jpeg, whose pixels differ from OpenCV's (see docs/compatibility.md; install libturbojpeg0 for identical pixels)", err)
		return d, nil
	}
	d.backend, d.lib = LibJPEGTurbo, lib
	return d, nil
}

// Backend returns the JPEG decoder in use: LibJPEGTurbo or GoJPEG.
func (d *Decoder) Backend() Backend { return d.backend }

// Note is empty, or says why JPEG decoding fell back to image/jpeg.
func (d *Decoder) Note() string { return d.note }

// isJPEG reports whether b starts with a JPEG SOI marker.
func isJPEG(b []byte) bool { return len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF }

// Decode decodes one encoded image into a new *image.RGBA with opaque
// alpha, as cv2.imdecode(b, IMREAD_COLOR) does: grayscale images come out
// with R = G = B, CMYK JPEGs are converted with OpenCV's formula, and a
// JPEG's EXIF orientation is applied. Corrupt input is an error, never a
// crash.
func (d *Decoder) Decode(b []byte) (*image.RGBA, error) {
	if len(b) == 0 {
		return nil, errors.New("imagedec: empty image data")
	}
	var img *image.RGBA
	var err error
	if d.backend == LibJPEGTurbo && isJPEG(b) {
		img, err = d.decodeTurbo(b)
	} else {
		img, err = d.decodeGo(b)
	}
	if err != nil {
		return nil, err
	}
	return orient(img, exifOrientation(b)), nil
}

func (d *Decoder) checkSize(w, h int) error {
	if w <= 0 || h <= 0 || w > d.maxPixels/h {
		return fmt.Errorf("imagedec: image is %d×%d, want a positive size of at most %d pixels", w, h, d.maxPixels)
	}
	return nil
}

func (d *Decoder) decodeTurbo(b []byte) (*image.RGBA, error) {
	t, _ := d.handles.Get().(*turboHandle)
	if t == nil {
		var err error
		if t, err = d.lib.newHandle(); err != nil {
			return nil, err
		}
	}
	defer d.handles.Put(t)
	w, h, cs, err := t.header(b)
	if err != nil {
		return nil, fmt.Errorf("imagedec: JPEG does not decode: %w", err)
	}
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("imagedec: JPEG does not decode: its header gives a %d×%d image", w, h)
	}
	if err := d.checkSize(w, h); err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	pf := uintptr(tjpfRGBA)
	if cs == tjcsCMYK || cs == tjcsYCCK {
		pf = tjpfCMYK // converted below as OpenCV does
	}
	if err := t.decompress(img.Pix, b, w, h, pf); err != nil {
		return nil, fmt.Errorf("imagedec: JPEG does not decode: %w", err)
	}
	if pf == tjpfCMYK {
		cmykToRGB(img.Pix)
	}
	return img, nil
}

// cmykToRGB converts CMYK pixels in place to RGBA as OpenCV's
// icvCvt_CMYK2BGR_8u_C4C3R does (Adobe's inverted CMYK, as JPEGs store it):
// each channel becomes k − ((255 − c)·k >> 8).
func cmykToRGB(pix []byte) {
	for i := 0; i+4 <= len(pix); i += 4 {
		k := int(pix[i+3])
		for c := 0; c < 3; c++ {
			pix[i+c] = byte(k - ((255-int(pix[i+c]))*k)>>8)
		}
		pix[i+3] = 255
	}
}

func (d *Decoder) decodeGo(b []byte) (*image.RGBA, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("imagedec: image does not decode (want JPEG or PNG): %w", err)
	}
	if err := d.checkSize(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	var src image.Image
	if format == "jpeg" {
		src, err = jpeg.Decode(bytes.NewReader(b))
	} else {
		src, _, err = image.Decode(bytes.NewReader(b))
	}
	if err != nil {
		return nil, fmt.Errorf("imagedec: %s does not decode: %w", format, err)
	}
	r := src.Bounds()
	img := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	if format == "jpeg" {
		draw.Draw(img, img.Rect, src, r.Min, draw.Src)
		return img, nil
	}
	// OpenCV's IMREAD_COLOR drops alpha without premultiplying: keep the
	// straight (non-premultiplied) colour of every pixel.
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			c := color.NRGBAModel.Convert(src.At(r.Min.X+x, r.Min.Y+y)).(color.NRGBA)
			copy(img.Pix[y*img.Stride+4*x:], []byte{c.R, c.G, c.B, 255})
		}
	}
	return img, nil
}

// DecodeImage is Decode returning an image.Image (nil on error), the
// signature image sources take.
func (d *Decoder) DecodeImage(b []byte) (image.Image, error) {
	img, err := d.Decode(b)
	if err != nil {
		return nil, err
	}
	return img, nil
}
