package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
)

// maxExportPixels bounds the size an exported image may declare (a .bin
// holds 112 × 112 faces), so that a small file declaring a huge image
// cannot make decoding it allocate gigabytes.
const maxExportPixels = 1 << 26

// ExportImages writes every image into dir as it is stored (no
// re-encoding), named 000000.jpg, 000001.png, … by row, after decoding it
// fully, plus images.txt (the file names, one per line, in row order) and
// issame.txt (one 0/1 per pair). Embed the images in that order with your
// own model, save the embeddings as an N × D .npy, and run
// `evalkit verify --embeddings emb.npy --issame dir/issame.txt`.
//
// Rows that share one stored image (a pickle that references one memoised
// image several times) share one file, which images.txt names on each of
// those rows, so the export writes no more than the .bin holds.
//
// dir must not exist or be empty. Everything is written into a temporary
// directory beside it that is renamed to dir at the end: an export that
// fails (an image that does not decode, a full disk) leaves no dir behind.
func (b *Bin) ExportImages(dir string) (names []string, err error) {
	if err := checkExportDir(dir); err != nil {
		return nil, err
	}
	dir = filepath.Clean(dir) // "out/" names the same directory
	parent := filepath.Dir(dir)
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp) // the export error is the one to report
		}
	}()
	if names, err = b.exportInto(tmp); err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	// An empty dir is replaced; a non-empty one was refused above.
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if d, err := os.Open(parent); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return names, nil
}

// checkExportDir refuses a dir that exists and is not an empty directory.
func checkExportDir(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("dataset: export directory %s exists and is not a directory", dir)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	if len(ents) > 0 {
		return fmt.Errorf("dataset: export directory %s exists and is not empty (%d entries); name a new directory", dir, len(ents))
	}
	return nil
}

// exportInto writes the images, images.txt and issame.txt into dir.
func (b *Bin) exportInto(dir string) ([]string, error) {
	type stored struct {
		first *byte
		n     int
	}
	written := map[stored]string{}
	names := make([]string, len(b.Images))
	for i, data := range b.Images {
		if len(data) > 0 {
			if name, ok := written[stored{&data[0], len(data)}]; ok {
				names[i] = name
				continue
			}
		}
		format, err := decodeWhole(data)
		if err != nil {
			return nil, fmt.Errorf("dataset: bin image %d: %w", i, err)
		}
		ext := "." + format
		if format == "jpeg" {
			ext = ".jpg"
		}
		names[i] = fmt.Sprintf("%06d%s", i, ext)
		written[stored{&data[0], len(data)}] = names[i]
		if err := writeFileAtomic(filepath.Join(dir, names[i]), func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		}); err != nil {
			return nil, err
		}
	}
	if err := writeFileAtomic(filepath.Join(dir, "images.txt"), func(w io.Writer) error {
		for _, n := range names {
			if _, err := io.WriteString(w, n+"\n"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, "issame.txt"), func(w io.Writer) error {
		return WriteIssameText(w, b.Issame)
	}); err != nil {
		return nil, err
	}
	return names, nil
}

// decodeWhole decodes an encoded image to its last pixel (a cut-off JPEG
// or PNG fails here, not only when its header is damaged) and returns its
// format.
func decodeWhole(data []byte) (string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxExportPixels {
		return "", fmt.Errorf("%s of %d×%d pixels; want at most %d pixels", format, cfg.Width, cfg.Height, maxExportPixels)
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return "", fmt.Errorf("%s does not decode: %w", format, err)
	}
	return format, nil
}
