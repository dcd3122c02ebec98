package dataset

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// ImagePairs is a verification set in insightface's layout: images 2i and
// 2i+1 form pair i, and Issame[i] tells whether they show the same class
// (the same identity, for faces). It is what a .bin file holds, with decoded
// 8-bit grey images instead of JPEG bytes.
type ImagePairs struct {
	// Rows and Cols are the image height and width.
	Rows, Cols int
	// Pixels holds the 2·len(Issame) images one after another.
	Pixels []uint8
	// Issame labels each pair.
	Issame []bool
}

// Len returns the number of pairs.
func (p *ImagePairs) Len() int { return len(p.Issame) }

// Flipped returns the images mirrored horizontally, as insightface's
// load_bin stores data[1] beside data[0]; verification sums the embeddings
// of both before normalising.
func (p *ImagePairs) Flipped() []uint8 {
	out := make([]uint8, len(p.Pixels))
	FlipHorizontal(out, p.Pixels, p.Rows, p.Cols)
	return out
}

// FlipHorizontal writes the mirror image of every rows×cols image in src to
// dst (same length; they must not overlap).
func FlipHorizontal(dst, src []uint8, rows, cols int) {
	for r := 0; r+cols <= len(src) && r+cols <= len(dst); r += cols {
		row, out := src[r:r+cols], dst[r:r+cols]
		for x, v := range row {
			out[cols-1-x] = v
		}
	}
}

// BuildPairs draws n verification pairs from s: n/2 (rounded up)
// same-class pairs, two distinct images of one class, and the rest
// different-class pairs, one image of each of two classes. Pairs alternate
// same, different, same, ... so every contiguous block, such as each of the
// 10 folds of insightface's evaluate, is balanced. Classes are chosen
// uniformly, images uniformly within their class; the draw depends only on
// seed. Images may appear in several pairs, but no pair repeats while
// enough distinct pairs exist.
func BuildPairs(s *ImageSet, n int, seed uint64) (*ImagePairs, error) {
	if n <= 0 {
		return nil, fmt.Errorf("dataset: number of pairs must be > 0, got %d", n)
	}
	byClass := map[int32][]int{}
	var classes []int32
	for i, l := range s.Labels {
		if _, ok := byClass[l]; !ok {
			classes = append(classes, l)
		}
		byClass[l] = append(byClass[l], i)
	}
	var multi []int32 // classes with at least two images
	for _, c := range classes {
		if len(byClass[c]) >= 2 {
			multi = append(multi, c)
		}
	}
	nSame := (n + 1) / 2
	if len(multi) == 0 {
		return nil, fmt.Errorf("dataset: same-class pairs need a class with at least 2 images; the set has %d images in %d classes", s.Len(), len(classes))
	}
	if n-nSame > 0 && len(classes) < 2 {
		return nil, fmt.Errorf("dataset: different-class pairs need at least 2 classes, the set has %d", len(classes))
	}
	slices.Sort(classes)
	slices.Sort(multi)
	r := rand.New(rand.NewPCG(seed, 0xba1a_9ced))
	seen := map[[2]int]bool{}
	maxTries := 20
	draw := func(same bool) [2]int {
		var a, b int
		for try := 0; ; try++ {
			if same {
				imgs := byClass[multi[r.IntN(len(multi))]]
				i := r.IntN(len(imgs))
				j := r.IntN(len(imgs) - 1)
				if j >= i {
					j++
				}
				a, b = imgs[i], imgs[j]
			} else {
				ci := r.IntN(len(classes))
				cj := r.IntN(len(classes) - 1)
				if cj >= ci {
					cj++
				}
				ia, ib := byClass[classes[ci]], byClass[classes[cj]]
				a, b = ia[r.IntN(len(ia))], ib[r.IntN(len(ib))]
			}
			k := [2]int{min(a, b), max(a, b)}
			if !seen[k] || try >= maxTries {
				seen[k] = true
				return [2]int{a, b}
			}
		}
	}
	d := s.Rows * s.Cols
	p := &ImagePairs{Rows: s.Rows, Cols: s.Cols, Pixels: make([]uint8, 0, 2*n*d), Issame: make([]bool, n)}
	for i := 0; i < n; i++ {
		same := i%2 == 0
		ab := draw(same)
		p.Pixels = append(p.Pixels, s.Image(ab[0])...)
		p.Pixels = append(p.Pixels, s.Image(ab[1])...)
		p.Issame[i] = same
	}
	return p, nil
}
