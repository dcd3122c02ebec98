package onnxmodel

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // the decoders GoDecode offers
	_ "image/png"
	"os"
)

// Source is a random-access list of images to embed.
type Source interface {
	// Len is the number of images.
	Len() int
	// Image returns image i (0 <= i < Len). It is called from several
	// goroutines at once.
	Image(i int) (image.Image, error)
}

// Decoder decodes one encoded image (JPEG, PNG, …).
type Decoder func(data []byte) (image.Image, error)

// GoDecode decodes with Go's image/jpeg and image/png. Its JPEG pixels differ
// slightly from OpenCV's (libjpeg-turbo), which insightface decodes with;
// see docs/compatibility.md.
func GoDecode(data []byte) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	return img, err
}

// DefaultDecoder is the decoder EncodedSource and FileSource use when theirs
// is nil.
var DefaultDecoder Decoder = GoDecode

// Images is a Source of images already in memory (decoded, or aligned crops).
type Images []image.Image

// Len is the number of images.
func (s Images) Len() int { return len(s) }

// Image returns image i.
func (s Images) Image(i int) (image.Image, error) { return s[i], nil }

// EncodedSource is a Source of encoded images in memory, such as the images
// of an insightface .bin file, decoded on demand.
type EncodedSource struct {
	Data   [][]byte
	Decode Decoder // nil: DefaultDecoder
}

// Len is the number of images.
func (s EncodedSource) Len() int { return len(s.Data) }

// Image decodes image i.
func (s EncodedSource) Image(i int) (image.Image, error) {
	img, err := decoder(s.Decode)(s.Data[i])
	if err != nil {
		return nil, fmt.Errorf("image %d (%d bytes) does not decode: %w", i, len(s.Data[i]), err)
	}
	return img, nil
}

// FileSource is a Source of image files, read and decoded on demand.
type FileSource struct {
	Paths  []string
	Decode Decoder // nil: DefaultDecoder
}

// Len is the number of images.
func (s FileSource) Len() int { return len(s.Paths) }

// Image reads and decodes image i.
func (s FileSource) Image(i int) (image.Image, error) {
	data, err := os.ReadFile(s.Paths[i])
	if err != nil {
		return nil, err
	}
	img, err := decoder(s.Decode)(data)
	if err != nil {
		return nil, fmt.Errorf("%s does not decode: %w", s.Paths[i], err)
	}
	return img, nil
}

func decoder(d Decoder) Decoder {
	if d != nil {
		return d
	}
	return DefaultDecoder
}
