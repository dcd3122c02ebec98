package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
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

var binFixtures = []string{"py2_protocol2.bin", "py3_protocol2.bin", "py3_protocol4.bin", "numpy_images.bin", "numpy_protocol5.bin"}

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
			path := filepath.Join(t.TempDir(), "x.bin")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = ReadBinFile(path)
			if err == nil || !strings.Contains(err.Error(), path+": ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadBinFile: err = %v, want it to name the file and contain %q", err, tc.want)
			}
		})
	}
}

// exportWants exports b into a new directory and checks the file names.
func exportWants(t *testing.T, b *Bin, want ...string) (string, []string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	names, err := b.ExportImages(dir + "/") // as `--export-images out/`
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	return dir, names
}

func TestExportImages(t *testing.T) {
	b, err := ReadBinFile(filepath.Join("..", "testdata", "dataset", "py3_protocol2.bin"))
	if err != nil {
		t.Fatal(err)
	}
	dir, names := exportWants(t, b, "000000.jpg", "000001.png", "000002.jpg", "000003.png")
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
	if _, err := b.ExportImages(dir); err == nil || !strings.Contains(err.Error(), "exists and is not empty") {
		t.Errorf("export into a full directory: err = %v", err)
	}
}

func TestExportImagesRefusesCutImages(t *testing.T) {
	// Every image is decoded to its end: a JPEG or PNG cut short (whose
	// header still reads) fails the export, and a failure part-way leaves
	// no directory behind, not even the images written before it.
	for _, victim := range []int{0, 1, 3} { // JPEG, PNG, the last PNG
		t.Run(fmt.Sprint(victim), func(t *testing.T) {
			b, err := ReadBinFile(filepath.Join("..", "testdata", "dataset", "py3_protocol2.bin"))
			if err != nil {
				t.Fatal(err)
			}
			img := b.Images[victim]
			b.Images[victim] = img[:len(img)*3/4]
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			_, err = b.ExportImages(dir)
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("bin image %d: ", victim)) || !strings.Contains(err.Error(), "does not decode") {
				t.Errorf("err = %v, want image %d does not decode", err, victim)
			}
			if ents, _ := os.ReadDir(parent); len(ents) != 0 {
				t.Errorf("failed export left %v behind", ents)
			}
		})
	}
}

func TestExportImagesIntoEmptyDir(t *testing.T) {
	b, err := ReadBinFile(filepath.Join("..", "testdata", "dataset", "py2_protocol2.bin"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir() // exists, empty
	if _, err := b.ExportImages(dir); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 6 {
		t.Errorf("%d entries, want 4 images, images.txt and issame.txt", len(ents))
	}
}

func TestExportImagesSharesRepeatedImages(t *testing.T) {
	// An image the pickle references on several rows is written once and
	// named on each of them: the export writes no more than the .bin holds.
	fix, err := ReadBinFile(filepath.Join("..", "testdata", "dataset", "py2_protocol2.bin"))
	if err != nil {
		t.Fatal(err)
	}
	var p bytes.Buffer
	p.WriteString("\x80\x02](T")
	p.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(fix.Images[0]))))
	p.Write(fix.Images[0])
	p.WriteString("q\x00h\x00h\x00T")
	p.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(fix.Images[0]))))
	p.Write(fix.Images[0]) // equal bytes, a separate object: its own file
	p.WriteString("e](\x88\x89e\x86.")
	b, err := ReadBin(&p)
	if err != nil {
		t.Fatal(err)
	}
	dir, names := exportWants(t, b, "000000.jpg", "000000.jpg", "000000.jpg", "000003.jpg")
	if ents, _ := os.ReadDir(dir); len(ents) != 4 {
		t.Errorf("%d entries, want 2 images, images.txt and issame.txt", len(ents))
	}
	list, err := ReadImageListFile(filepath.Join(dir, "images.txt"))
	if err != nil || !cmp.Equal(list, names) {
		t.Errorf("images.txt = %v, %v", list, err)
	}
}

func TestExportImagesRefusesHugeDeclaredSize(t *testing.T) {
	// A tiny PNG declaring 65535 × 65535 pixels is refused before decoding.
	var png bytes.Buffer
	png.WriteString("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\xff\xff\x00\x00\xff\xff\x08\x02\x00\x00\x00")
	crc := crc32.ChecksumIEEE(png.Bytes()[12:])
	png.Write(binary.BigEndian.AppendUint32(nil, crc))
	b := &Bin{Images: [][]byte{png.Bytes(), png.Bytes()}, Issame: []bool{true}}
	_, err := b.ExportImages(filepath.Join(t.TempDir(), "out"))
	if err == nil || !strings.Contains(err.Error(), "png of 65535×65535 pixels; want at most 67108864 pixels") {
		t.Errorf("err = %v", err)
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
	f.Add(memoisedImages(300, 40))
	f.Add([]byte("\x80\x02" + strings.Repeat("(", 100) + "N."))
	f.Add([]byte("\x80\x02L" + strings.Repeat("9", 4300) + "L\n."))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Memory and work stay within a fixed multiple of the input.
		if err := checkBounded(t, data); err != nil {
			return
		}
		b, err := ReadBin(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("second read failed: %v", err)
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
