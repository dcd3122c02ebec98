package model

import (
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/nd"
)

// ImageIterOptions configure an ImageIter.
type ImageIterOptions struct {
	// BatchSize is the number of rows of every batch.
	BatchSize int
	// Shuffle visits the images in a new random order every epoch; the
	// order depends only on Seed and the epoch number.
	Shuffle bool
	// Seed seeds the shuffle and the mirroring.
	Seed uint64
	// RandMirror flips each image horizontally with probability ½
	// (insightface's rand_mirror); the choice depends only on Seed, the
	// epoch and the position.
	RandMirror bool
	// Pad keeps the last, incomplete batch of an epoch, filled up by
	// wrapping around to the start (MXNet NDArrayIter's 'pad', reported in
	// DataBatch.Pad). By default an incomplete last batch is dropped
	// ('discard'), so every training batch has the same size.
	Pad bool
}

// ImageIter is a fit.DataIter over 8-bit images held in memory. It yields
// float32 (batch, rows·cols) pixel data in 0..255 and float32 (batch,) class
// labels, reusing its buffers between batches.
type ImageIter struct {
	pixels    []uint8
	labels    []int32
	n, h, w   int
	opt       ImageIterOptions
	epoch     int
	pos       int // next sample position in the epoch's order
	read      bool
	order     []int32
	data, lab []float32
	batch     fit.DataBatch
}

var _ fit.DataIter = (*ImageIter)(nil)

// NewImageIter iterates over len(labels) images of rows×cols pixels stored
// one after another in pixels.
func NewImageIter(pixels []uint8, labels []int32, rows, cols int, opt ImageIterOptions) (*ImageIter, error) {
	n := len(labels)
	switch {
	case rows <= 0 || cols <= 0:
		return nil, fmt.Errorf("model: image size must be positive, got %d×%d", rows, cols)
	case opt.BatchSize <= 0:
		return nil, fmt.Errorf("model: batch size must be > 0, got %d", opt.BatchSize)
	case len(pixels) != n*rows*cols:
		return nil, fmt.Errorf("model: %d labels need %d pixels of %d×%d images, got %d", n, n*rows*cols, rows, cols, len(pixels))
	case n == 0:
		return nil, fmt.Errorf("model: no images")
	case !opt.Pad && n < opt.BatchSize:
		return nil, fmt.Errorf("model: %d images make no full batch of %d (use Pad to keep a partial one)", n, opt.BatchSize)
	}
	d := rows * cols
	it := &ImageIter{pixels: pixels, labels: labels, n: n, h: rows, w: cols, opt: opt,
		order: make([]int32, n), data: make([]float32, opt.BatchSize*d), lab: make([]float32, opt.BatchSize)}
	it.batch.Data = []*nd.Array{nd.Must(nd.FromFloat32(it.data, opt.BatchSize, d))}
	it.batch.Label = []*nd.Array{nd.Must(nd.FromFloat32(it.lab, opt.BatchSize))}
	it.shuffle()
	return it, nil
}

// BatchSize returns the number of rows of every batch.
func (it *ImageIter) BatchSize() int { return it.opt.BatchSize }

// NumBatches returns the number of batches per epoch.
func (it *ImageIter) NumBatches() int {
	if it.opt.Pad {
		return (it.n + it.opt.BatchSize - 1) / it.opt.BatchSize
	}
	return it.n / it.opt.BatchSize
}

// Epoch returns the epoch whose order the iterator is yielding.
func (it *ImageIter) Epoch() int { return it.epoch }

// SetEpoch rewinds to the start of epoch e's order, e.g. to resume a run
// that stopped in epoch e (fit then skips the batches already done).
func (it *ImageIter) SetEpoch(e int) {
	it.epoch, it.pos, it.read = e, 0, false
	it.shuffle()
}

// Reset starts the next epoch: the position goes back to the start and,
// with Shuffle, a new order is drawn. A Reset with no batch read since the
// last one only rewinds, so fit's Reset before resuming keeps the epoch set
// with SetEpoch.
func (it *ImageIter) Reset() error {
	if it.read {
		it.epoch++
		it.shuffle()
	}
	it.pos, it.read = 0, false
	return nil
}

func (it *ImageIter) shuffle() {
	for i := range it.order {
		it.order[i] = int32(i)
	}
	if it.opt.Shuffle {
		r := rand.New(rand.NewPCG(it.opt.Seed, uint64(it.epoch)))
		r.Shuffle(len(it.order), func(i, j int) { it.order[i], it.order[j] = it.order[j], it.order[i] })
	}
}

// Next returns the next batch, or io.EOF at the end of the epoch. The batch
// and its arrays are reused by the following call.
func (it *ImageIter) Next() (*fit.DataBatch, error) {
	b := it.opt.BatchSize
	if it.pos >= it.n || (!it.opt.Pad && it.pos+b > it.n) {
		return nil, io.EOF
	}
	it.read = true
	d := it.h * it.w
	pad := 0
	for r := 0; r < b; r++ {
		k := it.pos + r
		if k >= it.n {
			pad++
			k %= it.n
		}
		src := int(it.order[k])
		img := it.pixels[src*d : src*d+d]
		dst := it.data[r*d : r*d+d]
		if it.opt.RandMirror && mirrorBit(it.opt.Seed, it.epoch, k) {
			for y := 0; y < it.h; y++ {
				row, out := img[y*it.w:y*it.w+it.w], dst[y*it.w:y*it.w+it.w]
				for x, v := range row {
					out[it.w-1-x] = float32(v)
				}
			}
		} else {
			for i, v := range img {
				dst[i] = float32(v)
			}
		}
		it.lab[r] = float32(it.labels[src])
	}
	it.pos += b
	it.batch.Pad = pad
	return &it.batch, nil
}

// mirrorBit is a stateless coin flip for (seed, epoch, position): a
// splitmix64 hash, so a resumed epoch flips the same images.
func mirrorBit(seed uint64, epoch, pos int) bool {
	z := seed ^ uint64(epoch)<<32 ^ uint64(pos) + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	return z&1 == 1
}
