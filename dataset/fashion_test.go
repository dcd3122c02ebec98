package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFashionDir writes a tiny, valid Fashion-MNIST directory (3 training,
// 2 test images of 2×2) and returns it.
func writeFashionDir(t *testing.T, compress bool) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []uint8, dims ...int) {
		x, err := NewIDXUint8(data, dims...)
		if err != nil {
			t.Fatal(err)
		}
		if compress {
			name += ".gz"
		}
		if err := WriteIDXFile(filepath.Join(dir, name), x, compress); err != nil {
			t.Fatal(err)
		}
	}
	write("train-images-idx3-ubyte", make([]uint8, 12), 3, 2, 2)
	write("train-labels-idx1-ubyte", []uint8{0, 9, 3}, 3)
	write("t10k-images-idx3-ubyte", make([]uint8, 8), 2, 2, 2)
	write("t10k-labels-idx1-ubyte", []uint8{1, 2}, 2)
	return dir
}

func TestLoadFashionMNIST(t *testing.T) {
	for _, compress := range []bool{false, true} {
		dir := writeFashionDir(t, compress)
		train, test, err := LoadFashionMNIST(dir)
		if err != nil {
			t.Fatal(err)
		}
		if train.Len() != 3 || test.Len() != 2 || train.Labels[1] != 9 || test.Labels[1] != 2 {
			t.Errorf("loaded %d/%d images, labels %v %v", train.Len(), test.Len(), train.Labels, test.Labels)
		}
	}
}

func TestLoadFashionMNISTErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	if _, _, err := LoadFashionMNIST(missing); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing directory: %v", err)
	}
	cases := []struct {
		name   string
		break_ func(dir string)
		want   string
	}{
		{"missing file", func(d string) { os.Remove(filepath.Join(d, "t10k-labels-idx1-ubyte")) }, "missing t10k-labels-idx1-ubyte"},
		{"corrupt file", func(d string) {
			os.WriteFile(filepath.Join(d, "train-images-idx3-ubyte"), []byte{0, 0, 8, 3, 0, 0}, 0o644)
		}, "want 3 dimension sizes"},
		{"count mismatch", func(d string) {
			x, _ := NewIDXUint8([]uint8{1, 2}, 2)
			WriteIDXFile(filepath.Join(d, "train-labels-idx1-ubyte"), x, false)
		}, "3 images but label file 2 labels"},
		{"bad label", func(d string) {
			x, _ := NewIDXUint8([]uint8{1, 10}, 2)
			WriteIDXFile(filepath.Join(d, "t10k-labels-idx1-ubyte"), x, false)
		}, "is 10, want 0..9"},
		{"labels as images", func(d string) {
			x, _ := NewIDXUint8([]uint8{1, 2, 3}, 3)
			WriteIDXFile(filepath.Join(d, "train-images-idx3-ubyte"), x, false)
		}, "want unsigned bytes (n, rows, cols)"},
	}
	for _, c := range cases {
		dir := writeFashionDir(t, false)
		c.break_(dir)
		_, _, err := LoadFashionMNIST(dir)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestLoadFullFashionMNIST(t *testing.T) {
	dir := fullFashionDir(t)
	train, test, err := LoadFashionMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 || train.Rows != 28 || train.Cols != 28 {
		t.Errorf("full set: %d train, %d test, %d×%d", train.Len(), test.Len(), train.Rows, train.Cols)
	}
}
