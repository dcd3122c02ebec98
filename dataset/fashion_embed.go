package dataset

import (
	"embed"
	"io/fs"
	"sync"
)

// The embedded subset of Fashion-MNIST (Zalando SE, MIT licence; see
// fashionmnist/LICENSE): the first EmbeddedTrainPerClass training images of
// each class and the first EmbeddedTestPerClass test images of each class,
// in file order, stored as gzipped IDX files with the original names.
// TestEmbeddedSubsetMatchesFull regenerates and checks them.
//
//go:embed fashionmnist/*.gz fashionmnist/LICENSE
var fashionFS embed.FS

// Sizes of the embedded subset.
const (
	EmbeddedTrainPerClass = 500
	EmbeddedTestPerClass  = 100
)

var embedded struct {
	once        sync.Once
	train, test *ImageSet
	err         error
}

// EmbeddedFashionMNIST returns the Fashion-MNIST subset built into the
// binary: 5,000 training and 1,000 held-out test images (balanced over the
// ten classes), so demos and tests need no download. The sets are shared:
// do not modify them.
func EmbeddedFashionMNIST() (train, test *ImageSet, err error) {
	embedded.once.Do(func() {
		sub, err := fs.Sub(fashionFS, "fashionmnist")
		if err != nil {
			embedded.err = err
			return
		}
		embedded.train, embedded.test, embedded.err = loadFashion(sub, "embedded Fashion-MNIST subset")
	})
	return embedded.train, embedded.test, embedded.err
}

// FashionMNISTLicense returns the licence notice of the embedded subset.
func FashionMNISTLicense() string {
	b, err := fashionFS.ReadFile("fashionmnist/LICENSE")
	if err != nil {
		return ""
	}
	return string(b)
}
