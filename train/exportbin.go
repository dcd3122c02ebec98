package train

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/evalkit/evalkit/dataset"
	"github.com/evalkit/evalkit/internal/atomicfile"
)

// writePairsBin writes the verification pairs as an insightface .bin file
// (PNG images, so nothing is lost), for evaluating the exported ONNX model
// with evalkit verify --model … --bin: the same pairs the run verified on.
func writePairsBin(path string, p *dataset.ImagePairs) error {
	b := &dataset.Bin{Issame: p.Issame, Images: make([][]byte, 2*p.Len())}
	size := p.Rows * p.Cols
	var buf bytes.Buffer
	for i := range b.Images {
		img := &image.Gray{Pix: p.Pixels[i*size : (i+1)*size], Stride: p.Cols, Rect: image.Rect(0, 0, p.Cols, p.Rows)}
		buf.Reset()
		if err := png.Encode(&buf, img); err != nil {
			return fmt.Errorf("train: encoding verification image %d: %w", i, err)
		}
		b.Images[i] = bytes.Clone(buf.Bytes())
	}
	var out bytes.Buffer
	if err := dataset.WriteBin(&out, b); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(path, out.Bytes()); err != nil {
		return fmt.Errorf("train: writing %s: %w", path, err)
	}
	return nil
}
