// Package dataset reads the evaluation data evalkit works with: MNIST-style
// IDX files and the embedded Fashion-MNIST subset (ReadIDX, LoadFashionMNIST,
// BuildPairs), insightface's face-verification .bin files (ReadBinFile, with
// image decoding and export), pair labels from .npy, text or .bin
// (ReadIssameFile), LFW's pairs.txt with an image list (ReadLFWPairsFile,
// ReadImageListFile, LFWPairs.ImageRows), and the IJB-B/C meta files
// (ReadIJBMeta).
package dataset
