package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type binExpected struct {
	Issame []bool
	Images []struct {
		Len    int
		Format string
		SHA256 string
	}
	Sizes []int
}

func loadBinExpected(t testing.TB) binExpected {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "dataset", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e binExpected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

var binFixtures = []string{"py2_protocol2.bin", "py3_protocol2.bin", "py3_protocol4.bin", "numpy_images.bin"}

func TestReadBinFixtures(t *testing.T) {
	want := loadBinExpected(t)
	for _, name := range binFixtures {
		t.Run(name, func(t *testing.T) {
			b, err := ReadBinFile(filepath.Join("..", "testdata", "dataset", name))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.Issame, b.Issame); diff != "" {
				t.Errorf("issame (-want +got):\n%s", diff)
			}
			if len(b.Images) != len(want.Images) {
				t.Fatalf("%d images, want %d", len(b.Images), len(want.Images))
			}
			for i, w := range want.Images {
				sum := sha256.Sum256(b.Images[i])
				if len(b.Images[i]) != w.Len || hex.EncodeToString(sum[:]) != w.SHA256 {
					t.Errorf("image %d: %d bytes sha256 %x, want %d bytes %s", i, len(b.Images[i]), sum, w.Len, w.SHA256)
				}
				img, format, err := b.Decode(i)
				if err != nil {
					t.Fatal(err)
				}
				if format != w.Format || img.Bounds().Dx() != want.Sizes[i] || img.Bounds().Dy() != want.Sizes[i] {
					t.Errorf("image %d: %s %v, want %s %d×%d", i, format, img.Bounds(), w.Format, want.Sizes[i], want.Sizes[i])
				}
			}
		})
	}
}

func TestWriteBinMatchesPython2Layout(t *testing.T) {
	// WriteBin reproduces insightface's Python 2 layout byte for byte:
	// the fixture was written opcode by opcode by gen_bins.py.
	path := filepath.Join("..", "testdata", "dataset", "py2_protocol2.bin")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadBin(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteBin(&buf, b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), raw) {
		t.Errorf("WriteBin output differs from the Python 2 fixture (%d vs %d bytes)", buf.Len(), len(raw))
	}
	// More than 1000 pairs: APPENDS batches of 1000 and a single APPEND.
	big := &Bin{Issame: make([]bool, 1001)}
	for i := 0; i < 2002; i++ {
		big.Images = append(big.Images, []byte{byte(i), byte(i >> 8)})
	}
	big.Issame[1000] = true
	buf.Reset()
	if err := WriteBin(&buf, big); err != nil {
		t.Fatal(err)
	}
	got, err := ReadBin(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(big, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestReadBinErrors(t *testing.T) {
	var good bytes.Buffer
	if err := WriteBin(&good, &Bin{Images: [][]byte{{1}, {2}}, Issame: []bool{true}}); err != nil {
		t.Fatal(err)
	}
	g := good.Bytes()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "without STOP"},
		{"truncated", g[:len(g)-5], "bin:"},
		{"huge BINSTRING", []byte("\x80\x02T\xff\xff\xff\x7f"), "needs 2147483647 bytes"},
		{"negative BINSTRING", []byte("\x80\x02T\xff\xff\xff\xff"), "negative length"},
		{"huge BINBYTES8", []byte("\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\xff"), "needs 18446744073709551615 bytes"},
		{"unknown opcode", []byte("\x80\x02\xff."), "unknown pickle opcode 0xff"},
		{"not a tuple", []byte("\x80\x02K\x05."), "want a pickled (images, issame) pair"},
		{"count mismatch", []byte("\x80\x02](U\x01aU\x01be](\x88\x88e\x86."), "2 images for 2 issame labels"},
		{"bad label", []byte("\x80\x02](U\x01aU\x01be](K\x07e\x86."), "issame 0 is 7"},
		{"image not bytes", []byte("\x80\x02](K\x01U\x01be](\x88e\x86."), "image 0 is int"},
		{"unknown global", []byte("\x80\x02cos\nsystem\nU\x02lsR."), "bin:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadBin(bytes.NewReader(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestExportImages(t *testing.T) {
	b, err := ReadBinFile(filepath.Join("..", "testdata", "dataset", "py3_protocol2.bin"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	names, err := b.ExportImages(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"000000.jpg", "000001.png", "000002.jpg", "000003.png"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	for i, n := range names {
		got, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil || !bytes.Equal(got, b.Images[i]) {
			t.Errorf("%s: %v, bytes equal %v", n, err, bytes.Equal(got, b.Images[i]))
		}
	}
	list, err := ReadImageListFile(filepath.Join(dir, "images.txt"))
	if err != nil || !cmp.Equal(list, names) {
		t.Errorf("images.txt = %v, %v", list, err)
	}
	issame, err := ReadIssameFile(filepath.Join(dir, "issame.txt"))
	if err != nil || !cmp.Equal(issame, b.Issame) {
		t.Errorf("issame.txt = %v, %v", issame, err)
	}
	b.Images[0] = []byte("not an image")
	if _, err := b.ExportImages(dir); err == nil || !strings.Contains(err.Error(), "bin image 0") {
		t.Errorf("undecodable image: err = %v", err)
	}
}

func FuzzReadBin(f *testing.F) {
	for _, name := range binFixtures {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "dataset", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\x80\x02](U\x01aU\x01be](\x88e\x86."))
	f.Add([]byte("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00]\x94(C\x01aC\x01be]\x88a\x86."))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadBin(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(b.Images) != 2*len(b.Issame) {
			t.Fatalf("%d images for %d labels accepted", len(b.Images), len(b.Issame))
		}
		var buf bytes.Buffer
		if err := WriteBin(&buf, b); err != nil {
			t.Fatal(err)
		}
		c, err := ReadBin(&buf)
		if err != nil {
			t.Fatalf("re-reading WriteBin output: %v", err)
		}
		if !cmp.Equal(b, c, cmp.Comparer(bytes.Equal)) {
			t.Fatal("WriteBin round trip changed the data")
		}
	})
}
