package align

import (
	"fmt"
	"image"
	"os"
)

// Crops is a list of image files with five landmarks each, such as IJB-B/C's
// loose crops and {t}_name_5pts_score.txt, whose Image method reads, decodes
// and aligns one of them with NormCrop. It is a Source for a model's
// batched embedding, and its methods are safe for concurrent use.
type Crops struct {
	// Paths are the image files.
	Paths []string
	// Landmarks holds five (x, y) points per path, in the decoded image's
	// pixel coordinates.
	Landmarks [][5][2]float32
	// Size is the side of the square crops (112 for ArcFace models).
	Size int
	// Decode decodes one file's bytes, e.g. an imagedec.Decoder's
	// DecodeImage.
	Decode func([]byte) (image.Image, error)
}

// Len is the number of images.
func (c Crops) Len() int { return len(c.Paths) }

// Image reads, decodes and aligns image i.
func (c Crops) Image(i int) (image.Image, error) {
	if i < 0 || i >= len(c.Paths) || i >= len(c.Landmarks) {
		return nil, fmt.Errorf("align: image %d of %d paths and %d landmark sets", i, len(c.Paths), len(c.Landmarks))
	}
	b, err := os.ReadFile(c.Paths[i])
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	img, err := c.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("align: %s: %w", c.Paths[i], err)
	}
	crop, err := NormCrop(img, c.Landmarks[i], c.Size)
	if err != nil {
		return nil, fmt.Errorf("align: %s: %w", c.Paths[i], err)
	}
	return crop, nil
}
