package dataset

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var regenEmbedded = flag.Bool("regen-embedded", false, "rewrite dataset/fashionmnist from the full Fashion-MNIST (see fullFashionDir)")

// fullFashionDir is where Debian's dataset-fashion-mnist installs the full
// set; EVALKIT_FASHION_MNIST overrides it. Tests that need it skip without it.
func fullFashionDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("EVALKIT_FASHION_MNIST")
	if dir == "" {
		dir = "/usr/share/datasets/fashion-mnist"
	}
	if _, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skipf("full Fashion-MNIST not installed in %s (apt install dataset-fashion-mnist)", dir)
	}
	return dir
}

// firstPerClass returns the indices of the first per images of each class,
// in file order.
func firstPerClass(s *ImageSet, per int) []int {
	count := map[int32]int{}
	var idx []int
	for i, l := range s.Labels {
		if count[l] < per {
			count[l]++
			idx = append(idx, i)
		}
	}
	return idx
}

// TestEmbeddedSubsetMatchesFull is the generator of the embedded files
// (go test ./dataset -run EmbeddedSubset -regen-embedded) and checks that
// they hold exactly the documented subset of the full set.
func TestEmbeddedSubsetMatchesFull(t *testing.T) {
	full := fullFashionDir(t)
	train, test, err := LoadFashionMNIST(full)
	if err != nil {
		t.Fatal(err)
	}
	subTrain, err := train.Subset(firstPerClass(train, EmbeddedTrainPerClass))
	if err != nil {
		t.Fatal(err)
	}
	subTest, err := test.Subset(firstPerClass(test, EmbeddedTestPerClass))
	if err != nil {
		t.Fatal(err)
	}
	if *regenEmbedded {
		for k, s := range []*ImageSet{subTrain, subTest} {
			xi, err := NewIDXUint8(s.Pixels, s.Len(), s.Rows, s.Cols)
			if err != nil {
				t.Fatal(err)
			}
			lab := make([]uint8, s.Len())
			for i, l := range s.Labels {
				lab[i] = uint8(l)
			}
			xl, _ := NewIDXUint8(lab, s.Len())
			if err := WriteIDXFile(filepath.Join("fashionmnist", fashionFiles[2*k]+".gz"), xi, true); err != nil {
				t.Fatal(err)
			}
			if err := WriteIDXFile(filepath.Join("fashionmnist", fashionFiles[2*k+1]+".gz"), xl, true); err != nil {
				t.Fatal(err)
			}
		}
		t.Log("rewrote dataset/fashionmnist; rebuild to embed the new files")
		return
	}
	etrain, etest, err := EmbeddedFashionMNIST()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want *ImageSet
	}{{"train", etrain, subTrain}, {"test", etest, subTest}} {
		t.Run(c.name, func(t *testing.T) {
			if c.got.Len() != c.want.Len() || !bytes.Equal(c.got.Pixels, c.want.Pixels) {
				t.Errorf("embedded %s subset differs from the full set's first images per class", c.name)
			}
			for i := range c.want.Labels {
				if c.got.Labels[i] != c.want.Labels[i] {
					t.Fatalf("embedded %s label %d = %d, want %d", c.name, i, c.got.Labels[i], c.want.Labels[i])
				}
			}
		})
	}
}

func TestEmbeddedFashionMNIST(t *testing.T) {
	train, test, err := EmbeddedFashionMNIST()
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 10*EmbeddedTrainPerClass || test.Len() != 10*EmbeddedTestPerClass {
		t.Fatalf("embedded sizes %d, %d; want %d, %d", train.Len(), test.Len(), 10*EmbeddedTrainPerClass, 10*EmbeddedTestPerClass)
	}
	if train.Rows != 28 || train.Cols != 28 {
		t.Fatalf("image size %d×%d, want 28×28", train.Rows, train.Cols)
	}
	for _, s := range []*ImageSet{train, test} {
		per := make([]int, 10)
		for _, l := range s.Labels {
			per[l]++
		}
		for c, n := range per {
			if n != s.Len()/10 {
				t.Errorf("class %d has %d images, want %d", c, n, s.Len()/10)
			}
		}
	}
	// The first training image of Fashion-MNIST is an ankle boot (label 9).
	if train.Labels[0] != 9 {
		t.Errorf("first training label %d, want 9 (Ankle boot)", train.Labels[0])
	}
	if lic := FashionMNISTLicense(); !bytes.Contains([]byte(lic), []byte("Zalando SE")) || !bytes.Contains([]byte(lic), []byte("MIT License")) {
		t.Errorf("embedded licence notice lacks the Zalando MIT notice:\n%s", lic)
	}
}
