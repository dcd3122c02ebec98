package dataset

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// FashionMNISTClasses names Fashion-MNIST's ten classes by label.
var FashionMNISTClasses = []string{
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
}

// ImageSet is a set of labelled 8-bit grey images of one size.
type ImageSet struct {
	// Rows and Cols are the image height and width.
	Rows, Cols int
	// Pixels holds the images one after another, row-major.
	Pixels []uint8
	// Labels holds one class index per image.
	Labels []int32
}

// Len returns the number of images.
func (s *ImageSet) Len() int { return len(s.Labels) }

// Image returns image i's pixels (a view).
func (s *ImageSet) Image(i int) []uint8 {
	d := s.Rows * s.Cols
	return s.Pixels[i*d : i*d+d : i*d+d]
}

// Subset returns a new set holding copies of the images at idx, in order.
func (s *ImageSet) Subset(idx []int) (*ImageSet, error) {
	out := &ImageSet{Rows: s.Rows, Cols: s.Cols, Pixels: make([]uint8, 0, len(idx)*s.Rows*s.Cols), Labels: make([]int32, 0, len(idx))}
	for _, i := range idx {
		if i < 0 || i >= s.Len() {
			return nil, fmt.Errorf("dataset: subset index %d out of range [0, %d)", i, s.Len())
		}
		out.Pixels = append(out.Pixels, s.Image(i)...)
		out.Labels = append(out.Labels, s.Labels[i])
	}
	return out, nil
}

// ReadIDXImages reads an image file (unsigned bytes, dimensions
// (n, rows, cols)) and a label file (unsigned bytes, (n)) in IDX format,
// each gzip-compressed or not.
func ReadIDXImages(images, labels io.Reader) (*ImageSet, error) {
	xi, err := ReadIDX(images)
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	xl, err := ReadIDX(labels)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	return imageSet(xi, xl)
}

func imageSet(xi, xl *IDX) (*ImageSet, error) {
	if xi.Type != IDXUint8 || len(xi.Dims) != 3 {
		return nil, fmt.Errorf("dataset: image file holds %s data of dimensions %v, want unsigned bytes (n, rows, cols)", xi.Type, xi.Dims)
	}
	if xl.Type != IDXUint8 || len(xl.Dims) != 1 {
		return nil, fmt.Errorf("dataset: label file holds %s data of dimensions %v, want unsigned bytes (n)", xl.Type, xl.Dims)
	}
	if xi.Dims[0] != xl.Dims[0] {
		return nil, fmt.Errorf("dataset: image file has %d images but label file %d labels", xi.Dims[0], xl.Dims[0])
	}
	if xi.Dims[1] == 0 || xi.Dims[2] == 0 {
		return nil, fmt.Errorf("dataset: image size %d×%d is empty", xi.Dims[1], xi.Dims[2])
	}
	s := &ImageSet{Rows: xi.Dims[1], Cols: xi.Dims[2], Pixels: xi.Data, Labels: make([]int32, len(xl.Data))}
	for i, v := range xl.Data {
		s.Labels[i] = int32(v)
	}
	return s, nil
}

// LoadIDXImages reads an image and a label IDX file from disk.
func LoadIDXImages(imagesPath, labelsPath string) (*ImageSet, error) {
	xi, err := ReadIDXFile(imagesPath)
	if err != nil {
		return nil, err
	}
	xl, err := ReadIDXFile(labelsPath)
	if err != nil {
		return nil, err
	}
	s, err := imageSet(xi, xl)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s, %s)", err, imagesPath, labelsPath)
	}
	return s, nil
}

// fashionFiles are the four files of (Fashion-)MNIST, without ".gz".
var fashionFiles = [4]string{
	"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
}

// LoadFashionMNIST reads Fashion-MNIST (or MNIST: the layout is the same)
// from dir, which holds train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally
// gzip-compressed (".gz"), as Debian's dataset-fashion-mnist installs them
// under /usr/share/datasets/fashion-mnist. Labels must be below 10.
func LoadFashionMNIST(dir string) (train, test *ImageSet, err error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset: Fashion-MNIST directory: %w", err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("dataset: Fashion-MNIST directory %s is not a directory", dir)
	}
	return loadFashion(os.DirFS(dir), dir)
}

func loadFashion(fsys fs.FS, where string) (train, test *ImageSet, err error) {
	var sets [2]*ImageSet
	for k := range sets {
		var x [2]*IDX
		for j := range x {
			name := fashionFiles[2*k+j]
			x[j], err = readIDXFS(fsys, name)
			if err != nil {
				return nil, nil, fmt.Errorf("%w (in %s)", err, where)
			}
		}
		s, err := imageSet(x[0], x[1])
		if err != nil {
			return nil, nil, fmt.Errorf("%w (%s in %s)", err, fashionFiles[2*k], where)
		}
		for i, l := range s.Labels {
			if l >= int32(len(FashionMNISTClasses)) {
				return nil, nil, fmt.Errorf("dataset: label %d of %s is %d, want 0..9 (in %s)", i, fashionFiles[2*k+1], l, where)
			}
		}
		sets[k] = s
	}
	if sets[0].Rows != sets[1].Rows || sets[0].Cols != sets[1].Cols {
		return nil, nil, fmt.Errorf("dataset: training images are %d×%d but test images %d×%d (in %s)", sets[0].Rows, sets[0].Cols, sets[1].Rows, sets[1].Cols, where)
	}
	return sets[0], sets[1], nil
}

// readIDXFS reads name.gz, or name when there is no compressed file.
func readIDXFS(fsys fs.FS, name string) (*IDX, error) {
	f, err := fsys.Open(name + ".gz")
	used := name + ".gz"
	if errors.Is(err, fs.ErrNotExist) {
		f, err = fsys.Open(name)
		used = name
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("dataset: missing %s (or %s.gz)", name, name)
	}
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer func() { _ = f.Close() }()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("dataset: %s is a directory, want an IDX file", used)
	}
	x, err := ReadIDX(f)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, filepath.ToSlash(used))
	}
	return x, nil
}
