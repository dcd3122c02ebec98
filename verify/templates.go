package verify

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"unsafe"

	parallelfor "github.com/evalkit/evalkit/internal/parallel"
	"github.com/evalkit/evalkit/nd"
)

// TemplateOptions configures IJB template feature aggregation. The zero
// value aggregates the features as given; insightface's eval_ijbc.py
// defaults correspond to FlipHalves true, DetectorScores from the 5-point
// landmark file, NormalizeImages false (its "F1, N1, D1").
type TemplateOptions struct {
	// FlipHalves says every feature row is [f(original) | f(flipped)] (2·D
	// columns); the halves are summed (use_flip_test).
	FlipHalves bool
	// NormalizeImages L2-normalises each image feature before weighting
	// (use_norm_score = False).
	NormalizeImages bool
	// DetectorScores, when not nil, multiplies each image feature by its
	// face detector (faceness) score (use_detector_score), one per row.
	DetectorScores []float32
}

// Templates holds one L2-normalised feature per template, in ascending
// template id order (np.unique).
type Templates struct {
	// IDs are the template ids, ascending.
	IDs []int64
	// Dim is the feature length.
	Dim int
	// Features holds len(IDs) rows of Dim values.
	Features []float64
	index    templateIndex
	plan     dotPlan
}

// Row returns the feature of template id and whether it exists.
func (t *Templates) Row(id int64) ([]float64, bool) {
	i, ok := t.index.find(id)
	if !ok {
		return nil, false
	}
	return t.Features[i*t.Dim : (i+1)*t.Dim], true
}

// AggregateTemplates builds IJB template features as insightface's
// image2template_feature does: image features (rows of feats, float32 or
// float64, with templates[i] and media[i] naming row i's template and media)
// are flip-summed, optionally normalised, weighted by detector scores; then
// within each template the rows of every media are averaged (media in
// ascending id order; a single row is taken as is), the media features are
// summed, and the template feature is L2-normalised (scikit-learn's
// normalize). Arithmetic follows numpy's dtypes and orders: per-image work
// in the features' precision, template sums in float64. Templates are
// aggregated on all cores.
func AggregateTemplates(feats *nd.Array, templates, media []int64, opts TemplateOptions) (*Templates, error) {
	if feats == nil || feats.NDim() != 2 {
		return nil, fmt.Errorf("verify: template features must be a 2-D array (images × dims)")
	}
	n, cols := feats.Dim(0), feats.Dim(1)
	if len(templates) != n || len(media) != n {
		return nil, fmt.Errorf("verify: %d feature rows but %d template ids and %d media ids", n, len(templates), len(media))
	}
	if opts.DetectorScores != nil && len(opts.DetectorScores) != n {
		return nil, fmt.Errorf("verify: %d feature rows but %d detector scores", n, len(opts.DetectorScores))
	}
	d := cols
	if opts.FlipHalves {
		if cols%2 != 0 {
			return nil, fmt.Errorf("verify: features have %d columns; flip halves need an even number", cols)
		}
		d = cols / 2
	}
	if d == 0 {
		return nil, fmt.Errorf("verify: features have no columns")
	}
	switch feats.DType() {
	case nd.Float32, nd.Float16:
		return aggregate(feats.Float32s(), n, cols, d, templates, media, opts)
	case nd.Float64:
		return aggregate(feats.Float64s(), n, cols, d, templates, media, opts)
	}
	return nil, fmt.Errorf("verify: template features must be float32 or float64, got %s", feats.DType())
}

// imageFeature writes image i's feature into out in the input precision, as
// numpy keeps float32: the flip halves summed, optionally L2-normalised,
// weighted by the detector score. sq is scratch of len(out) for the
// normalisation.
func imageFeature[T float32 | float64](x []T, i, cols int, opts TemplateOptions, out, sq []T) error {
	d := len(out)
	row := x[i*cols : (i+1)*cols]
	// v*0 is 0 for finite v and NaN otherwise: one check per row
	var bad T
	if opts.FlipHalves {
		a, b := row[:d], row[d:2*d]
		for j := range out {
			v := a[j] + b[j]
			bad += v * 0
			out[j] = v
		}
	} else {
		for j, v := range row[:d] {
			bad += v * 0
			out[j] = v
		}
	}
	if bad != 0 || bad != bad {
		for j, v := range out {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("verify: feature row %d, column %d is not finite (%v)", i, j, v)
			}
		}
	}
	if opts.NormalizeImages {
		// x / np.sqrt(np.sum(x ** 2, -1, keepdims=True)): squares and their
		// pairwise sum in the features' precision; the square root through
		// float64 rounds as numpy's float32 sqrt does.
		for j, v := range out {
			sq[j] = v * v
		}
		nrm := T(math.Sqrt(float64(pairwiseSum(sq))))
		for j := range out {
			out[j] /= nrm
		}
	}
	if opts.DetectorScores != nil {
		w := T(opts.DetectorScores[i])
		for j := range out {
			out[j] *= w
		}
	}
	return nil
}

// aggregate computes each image's feature when its template is reached
// (every image is used once), so memory is the templates' features, not a
// processed copy of all images: 960 MB less for IJB-C's 469,375 images.
// Templates are split among the cores; each worker reuses its scratch, so
// nothing is allocated per template.
func aggregate[T float32 | float64](x []T, n, cols, d int, templates, media []int64, opts TemplateOptions) (*Templates, error) {
	ids, index := uniqueIDs(templates)
	nt := len(ids)
	// rows of each template, templates ascending, rows ascending within
	// (a counting sort by template position)
	start := make([]int32, nt+1)
	for _, id := range templates {
		k, _ := index.find(id)
		start[k+1]++
	}
	for k := range nt {
		start[k+1] += start[k]
	}
	order := make([]int32, n)
	next := slices.Clone(start[:nt])
	for i, id := range templates {
		k, _ := index.find(id)
		order[next[k]] = int32(i)
		next[k]++
	}
	t := &Templates{Dim: d, IDs: ids, index: index, Features: make([]float64, nt*d), plan: newDotPlan(d)}
	// split the templates into ranges of about equal rows
	workers := max(1, min(runtime.GOMAXPROCS(0), n/256))
	bounds := make([]int, workers+1)
	bounds[workers] = nt
	for w := 1; w < workers; w++ {
		target := int32(int64(n) * int64(w) / int64(workers))
		bounds[w] = max(bounds[w-1], sort.Search(nt, func(k int) bool { return start[k] >= target }))
	}
	// ranges ascend: the error returned is the lowest template's
	if err := parallelfor.For(workers, workers, func(w, _, _ int) error {
		return aggregateRange(t, x, cols, start, order, media, opts, bounds[w], bounds[w+1])
	}); err != nil {
		return nil, err
	}
	return t, nil
}

// aggregateRange aggregates templates [lo, hi) of t.
func aggregateRange[T float32 | float64](t *Templates, x []T, cols int, start, order []int32, media []int64, opts TemplateOptions, lo, hi int) error {
	d := t.Dim
	img, sq := make([]T, d), make([]T, d)
	mediaSum := make([]T, d)
	mean := make([]T, d)
	var rows []int32
	for k := lo; k < hi; k++ {
		rows = append(rows[:0], order[start[k]:start[k+1]]...) // ascending row order
		slices.SortStableFunc(rows, func(a, b int32) int { return cmp.Compare(media[a], media[b]) })
		// Without per-image normalisation, the image features are summed
		// straight into the media and template sums; a value that is not
		// finite stays so through them, and the checked path below then
		// finds it.
		if opts.NormalizeImages || !templateSum(x, cols, rows, media, opts, mediaSum, mean) {
			if err := templateSumChecked(x, cols, rows, media, opts, mediaSum, mean, img, sq); err != nil {
				return err
			}
		}
		acc := t.Features[k*d : (k+1)*d]
		for j := range acc {
			acc[j] = float64(mediaSum[j])
		}
		sc := sklearnNormScale(einsumSquares(acc))
		for j, v := range acc {
			acc[j] = v / sc
		}
	}
	return nil
}

// mediaEnd returns the end of the run of rows from ms (rows sorted by
// media) that share rows[ms]'s media.
func mediaEnd(rows []int32, media []int64, ms int) int {
	me := ms
	for me < len(rows) && media[rows[me]] == media[rows[ms]] {
		me++
	}
	return me
}

// templateSum writes the sum of a template's media features to mediaSum
// (rows sorted by media, ascending rows within), adding each image's
// feature (flip halves summed, weighted by its detector score) straight
// into its media's sum. It reports whether the sum is finite.
func templateSum[T float32 | float64](x []T, cols int, rows []int32, media []int64, opts TemplateOptions, mediaSum, mean []T) bool {
	clear(mediaSum)
	for ms := 0; ms < len(rows); {
		me := mediaEnd(rows, media, ms)
		if me-ms == 1 {
			prefetchRow(x, int(rows[ms])+1, cols)
			addImage(mediaSum, x, int(rows[ms]), cols, opts)
		} else {
			clear(mean)
			for _, r := range rows[ms:me] {
				prefetchRow(x, int(r)+1, cols)
				addImage(mean, x, int(r), cols, opts)
			}
			cnt := T(me - ms)
			for j, v := range mean {
				mediaSum[j] += v / cnt
			}
		}
		ms = me
	}
	var bad T // v*0 is 0 for finite v and NaN otherwise
	for _, v := range mediaSum {
		bad += v * 0
	}
	return bad == 0
}

// addImage adds image i's feature to dst, in numpy's float32 steps: the
// flip halves' sum rounded, times the detector score rounded, added. The
// explicit conversions keep the compiler from fusing multiply and add.
func addImage[T float32 | float64](dst, x []T, i, cols int, opts TemplateOptions) {
	d := len(dst)
	row := x[i*cols : (i+1)*cols]
	a := row[:d]
	if opts.FlipHalves {
		b := row[d : 2*d]
		w := T(1) // (a+b)·1 is a+b, bit for bit
		if opts.DetectorScores != nil {
			w = T(opts.DetectorScores[i])
		}
		if x32, ok := any(x).([]float32); ok && haveVectorKernel && d >= 8 {
			// the same float32 operations, eight at a time (kernel_amd64.s)
			dst32, a32, b32 := any(dst).([]float32), x32[i*cols:i*cols+d], x32[i*cols+d:i*cols+2*d]
			n := d &^ 7
			addFlipWeighted(&dst32[0], &a32[0], &b32[0], n, float32(w))
			dst, a, b = dst[n:], a[n:], b[n:]
		}
		if opts.DetectorScores != nil {
			for j := range dst {
				dst[j] += T((a[j] + b[j]) * w) //nolint:unconvert // rounds the product: no fused multiply-add
			}
			return
		}
		for j := range dst {
			dst[j] += a[j] + b[j]
		}
		return
	}
	if opts.DetectorScores != nil {
		w := T(opts.DetectorScores[i])
		for j := range dst {
			dst[j] += T(a[j] * w) //nolint:unconvert // rounds the product: no fused multiply-add
		}
		return
	}
	for j := range dst {
		dst[j] += a[j]
	}
}

// templateSumChecked is templateSum through imageFeature, which checks
// every value and normalises images when asked.
func templateSumChecked[T float32 | float64](x []T, cols int, rows []int32, media []int64, opts TemplateOptions, mediaSum, mean, img, sq []T) error {
	clear(mediaSum)
	for ms := 0; ms < len(rows); {
		me := mediaEnd(rows, media, ms)
		if me-ms == 1 {
			if err := imageFeature(x, int(rows[ms]), cols, opts, mean, sq); err != nil {
				return err
			}
		} else {
			clear(mean)
			for _, r := range rows[ms:me] {
				if err := imageFeature(x, int(r), cols, opts, img, sq); err != nil {
					return err
				}
				for j, v := range img {
					mean[j] += v
				}
			}
			cnt := T(me - ms)
			for j := range mean {
				mean[j] /= cnt
			}
		}
		for j := range mediaSum {
			mediaSum[j] += mean[j]
		}
		ms = me
	}
	return nil
}

// Scores returns the cosine score of every template pair (p1[k], p2[k]):
// the dot product of the normalised template features, summed as numpy's
// np.sum(feat1 * feat2, -1). It fails on a template id that has no feature
// (insightface silently scores such pairs against template 0).
func (t *Templates) Scores(p1, p2 []int64) ([]float64, error) {
	if len(p1) != len(p2) {
		return nil, fmt.Errorf("verify: %d first templates but %d second templates", len(p1), len(p2))
	}
	out := make([]float64, len(p1))
	err := parallel(len(p1), func(lo, hi int) error {
		var s pairScratch
		for c := lo; c < hi; c += scoreChunk {
			e := min(hi, c+scoreChunk)
			if err := t.scoreBlock(out[c:e], p1[c:e], p2[c:e], nil, &s, func(i int, id int64) error {
				return fmt.Errorf("verify: template pair %d names template %d, which has no images", c+i, id)
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// prefetchRow asks the CPU to load row i of x (rows of cols values), if
// there is one, into the cache: the images of a template are usually the
// rows after the current one, and a mapped feature file's 4 KB rows are
// each a page of their own, where the hardware prefetchers stop
// (aggregating IJB-C's 469,375 images: 5-20% faster).
func prefetchRow[T float32 | float64](x []T, i, cols int) {
	if (i+1)*cols <= len(x) {
		prefetchLines(unsafe.Pointer(&x[i*cols]), cols*int(unsafe.Sizeof(x[0]))/64)
	}
}
