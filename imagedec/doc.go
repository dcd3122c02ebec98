// Package imagedec decodes the encoded images a face model is evaluated on
// (the JPEGs of insightface's .bin files and of IJB loose crops) into
// *image.RGBA, the way insightface's OpenCV does it.
//
// OpenCV's cv2.imdecode decodes JPEG with libjpeg-turbo. Go's image/jpeg
// rounds the inverse DCT and upsamples chroma differently (a mean of about
// 0.8 and up to tens of levels per channel), which is enough to move printed
// verification digits. So a Decoder uses libjpeg-turbo's TurboJPEG library
// (libturbojpeg.so.0, Debian's libturbojpeg0), loaded at run time without
// cgo, whose default decompression reproduces cv2.imdecode pixel for pixel.
// Where the library is absent it falls back to image/jpeg and says so in
// Note. Other formats (PNG, GIF) go through Go's decoders, which are exact.
//
//	dec, err := imagedec.New(imagedec.Options{})
//	if note := dec.Note(); note != "" {
//		log.Print(note)
//	}
//	img, err := dec.Decode(jpegBytes)
//
// docs/compatibility.md records the measured differences.
package imagedec
