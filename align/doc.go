// Package align crops faces the way insightface's face_align.norm_crop
// does: a least-squares similarity transform (scikit-image's
// SimilarityTransform.estimate, Umeyama's method) from five landmarks (eye
// centres, nose tip, mouth corners) to the ArcFace template, then OpenCV's
// cv2.warpAffine with bilinear interpolation and a black border.
//
// WarpAffine mirrors OpenCV's fixed-point arithmetic (coordinates in
// 1/1024 pixel rounded to 1/32, 15-bit interpolation weights), so with the
// same matrix it gives OpenCV's pixels exactly. Estimate works in float64;
// scikit-image, handed insightface's float32 landmarks and template, works
// in float32, so the matrices differ in about the 7th digit and, rarely, a
// pixel by one level (docs/compatibility.md).
//
//	crop, err := align.NormCrop(img, landmarks, 112)
package align
