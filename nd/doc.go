// Package nd holds the dense n-dimensional arrays that evalkit's metrics read:
// labels and predictions as a network emits them.
//
// An Array has a shape, a dtype and row-major data. float32 is first-class:
// FromFloat32 wraps a []float32 without copying, so a training loop can hand
// its output buffer to a metric at no cost. float64 and the integer dtypes are
// stored in []float64 and []int64; float16 is widened to float32 on read and
// narrowed again on write. Views along axis 0 (Slice, Row) never copy.
//
//	logits, _ := nd.FromFloat32(buf, 512, 85742) // zero-copy
//	labels, _ := nd.FromInt64(ids, 512)
//	idx, shape, _ := nd.ArgMax(logits, 1, nil)    // first maximal index; NaN wins
//
// .npy and .npz files are read and written with ReadNpy, WriteNpy, ReadNpz and
// WriteNpz for the dtypes numpy writes for labels and predictions.
package nd
