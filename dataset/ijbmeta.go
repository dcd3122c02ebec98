package dataset

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// IJBTemplateMedia is an IJB-B/C {ijbb,ijbc}_face_tid_mid.txt: for every
// image (row of the feature matrix), its file name, template id and media
// id.
type IJBTemplateMedia struct {
	Images    []string
	Templates []int64
	Media     []int64
}

// IJBTemplatePairs is an IJB-B/C {t}_template_pair_label.txt: the 1:1
// verification protocol's template pairs and labels (true = same subject).
type IJBTemplatePairs struct {
	T1, T2 []int64
	Labels []bool
}

// IJBLandmarks is an IJB-B/C {t}_name_5pts_score.txt: per image, five
// landmark points (x1 y1 … x5 y5) and the face detector score insightface
// weights features by.
type IJBLandmarks struct {
	Images    []string
	Landmarks [][10]float32
	Scores    []float32
}

// IJBMeta is the meta directory of an IJB-B or IJB-C evaluation.
type IJBMeta struct {
	TemplateMedia *IJBTemplateMedia
	Pairs         *IJBTemplatePairs
	// Landmarks is nil when the 5-point file is absent.
	Landmarks *IJBLandmarks
}

// ReadIJBMeta reads dir/{t}_face_tid_mid.txt, dir/{t}_template_pair_label.txt
// and, when present, dir/{t}_name_5pts_score.txt, with t = "ijbc" or "ijbb"
// from target ("IJBC", "IJBB", case-insensitive). dir is the "meta"
// directory of insightface's IJB layout. The landmark file must list the
// same images in the same order as the template file. The files are read
// in blocks on all cores; blank lines are skipped and a UTF-8 byte-order
// mark at the start of a file is ignored.
func ReadIJBMeta(dir, target string) (*IJBMeta, error) {
	m, err := ReadIJBImageMeta(dir, target, IJBReadOptions{})
	if err != nil {
		return nil, err
	}
	p, err := IJBPairsPath(dir, target)
	if err != nil {
		return nil, err
	}
	r, err := OpenIJBPairs(p)
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }() // read-only: nothing to lose
	if m.Pairs, err = r.ReadAll(); err != nil {
		return nil, err
	}
	return m, nil
}

// IJBReadOptions selects what ReadIJBImageMeta reads.
type IJBReadOptions struct {
	// NoLandmarkPoints skips parsing the landmark points of the 5-point
	// file (Landmarks.Landmarks is nil); image names and detector scores
	// are read and every line is still checked for 12 fields. Features
	// from a file need only the scores.
	NoLandmarkPoints bool
}

// ReadIJBImageMeta is ReadIJBMeta without the pair file (Pairs is nil):
// the per-image files, for reading the pairs with OpenIJBPairs.
func ReadIJBImageMeta(dir, target string, opts IJBReadOptions) (*IJBMeta, error) {
	t, err := ijbPrefix(target)
	if err != nil {
		return nil, err
	}
	m := &IJBMeta{}
	tp := filepath.Join(dir, t+"_face_tid_mid.txt")
	if m.TemplateMedia, err = readFile(tp, readTemplateMedia); err != nil {
		return nil, err
	}
	lp := filepath.Join(dir, t+"_name_5pts_score.txt")
	if _, serr := os.Stat(lp); serr == nil {
		read := readLandmarks
		if opts.NoLandmarkPoints {
			read = readScoresOnly
		}
		if m.Landmarks, err = readFile(lp, read); err != nil {
			return nil, err
		}
		if len(m.Landmarks.Images) != len(m.TemplateMedia.Images) {
			return nil, fmt.Errorf("dataset: %s lists %d images, %s_face_tid_mid.txt %d", lp, len(m.Landmarks.Images), t, len(m.TemplateMedia.Images))
		}
		for i, im := range m.Landmarks.Images {
			if im != m.TemplateMedia.Images[i] {
				return nil, fmt.Errorf("dataset: %s line %d names %s, the template file %s", lp, i+1, im, m.TemplateMedia.Images[i])
			}
		}
		m.Landmarks.Images = m.TemplateMedia.Images // equal: keep one copy
	}
	return m, nil
}

// IJBPairsPath returns dir/{t}_template_pair_label.txt for target (IJBC or
// IJBB).
func IJBPairsPath(dir, target string) (string, error) {
	t, err := ijbPrefix(target)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, t+"_template_pair_label.txt"), nil
}

func ijbPrefix(target string) (string, error) {
	t := strings.ToLower(strings.ReplaceAll(target, "-", ""))
	if t != "ijbb" && t != "ijbc" {
		return "", fmt.Errorf("dataset: IJB target %q, want IJBB or IJBC", target)
	}
	return t, nil
}

// readFile parses the file at p with read, in blocks on all cores.
func readFile[T any](p string, read func(*lineFile) (T, error)) (T, error) {
	var zero T
	lf, err := openLineFile(p, lineBlockSize, maxLineLen)
	if err != nil {
		return zero, fmt.Errorf("dataset: %w", err)
	}
	defer func() { _ = lf.close() }() // read-only: nothing to lose
	v, err := read(lf)
	if err != nil {
		return zero, fmt.Errorf("dataset: %s: %w", p, err)
	}
	return v, nil
}

// parseAll parses everything r yields with read, as one block.
func parseAll[T any](r io.Reader, read func(*lineFile) (T, error)) (T, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		var zero T
		return zero, err
	}
	return read(memLineFile(data, int64(len(data))+1))
}

// blanks collects the 0-based indices of blank lines from the workers
// parsing a file.
type blanks struct {
	mu  sync.Mutex
	idx []int
}

func (b *blanks) add(idx []int) {
	if len(idx) == 0 {
		return
	}
	b.mu.Lock()
	b.idx = append(b.idx, idx...)
	b.mu.Unlock()
}

// compact removes the blank lines' slots from s.
func compact[T any](s []T, blank []int) []T {
	if len(blank) == 0 {
		return s
	}
	j := 0
	for i := range s {
		if len(blank) > 0 && blank[0] == i {
			blank = blank[1:]
			continue
		}
		s[j] = s[i]
		j++
	}
	return s[:j]
}

func parseID(s []byte, what string) (int64, error) {
	v, ok := parseInt(s)
	if !ok {
		return 0, fmt.Errorf("%s %q is not an integer", what, truncate(string(s), 20))
	}
	return v, nil
}

// ParseIJBTemplateMedia reads "image_name template_id media_id" lines.
func ParseIJBTemplateMedia(r io.Reader) (*IJBTemplateMedia, error) {
	return parseAll(r, readTemplateMedia)
}

func readTemplateMedia(lf *lineFile) (*IJBTemplateMedia, error) {
	m := &IJBTemplateMedia{Images: make([]string, lf.lines), Templates: make([]int64, lf.lines), Media: make([]int64, lf.lines)}
	var bl blanks
	err := eachImageLine(lf, 3, m.Images, &bl, func(i, n int, f [][]byte) error {
		if n != 3 {
			return fmt.Errorf("%d fields, want 3 (image template media)", n)
		}
		t, err := parseID(f[1], "template id")
		if err != nil {
			return err
		}
		md, err := parseID(f[2], "media id")
		if err != nil {
			return err
		}
		m.Templates[i], m.Media[i] = t, md
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(bl.idx)
	m.Images, m.Templates, m.Media = compact(m.Images, bl.idx), compact(m.Templates, bl.idx), compact(m.Media, bl.idx)
	if len(m.Images) == 0 {
		return nil, fmt.Errorf("no images")
	}
	return m, nil
}

// eachImageLine calls parse with the 0-based index, the number of fields
// and the first nf fields of every non-blank line of lf (from several
// goroutines), stores each line's first field in images[index] (the names
// of a block share one string) and collects the blank lines in bl.
func eachImageLine(lf *lineFile, nf int, images []string, bl *blanks, parse func(i, n int, f [][]byte) error) error {
	return lf.each(func(_, first int, data []byte) error {
		f := make([][]byte, nf)
		var blank []int
		names := make([]byte, 0, len(data)/4)
		ends := make([]int, 0, len(data)/16)
		for i := first; len(data) > 0; i++ {
			var line []byte
			line, data = nextLine(data)
			n := fields(line, f)
			if n == 0 {
				blank = append(blank, i)
				ends = append(ends, len(names))
				continue
			}
			if err := parse(i, n, f); err != nil {
				return &lineError{i, err}
			}
			names = append(names, f[0]...)
			ends = append(ends, len(names))
		}
		all, lo := string(names), 0
		for k, e := range ends {
			images[first+k] = all[lo:e]
			lo = e
		}
		bl.add(blank)
		return nil
	})
}

// ParseIJBTemplatePairs reads "template1 template2 label" lines, label 0 or 1.
func ParseIJBTemplatePairs(r io.Reader) (*IJBTemplatePairs, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return (&IJBPairReader{lf: memLineFile(data, int64(len(data))+1)}).ReadAll()
}

// ParseIJBLandmarks reads "image_name x1 y1 … x5 y5 score" lines.
func ParseIJBLandmarks(r io.Reader) (*IJBLandmarks, error) {
	return parseAll(r, readLandmarks)
}

func readLandmarks(lf *lineFile) (*IJBLandmarks, error) { return readLandmarkFile(lf, true) }

func readScoresOnly(lf *lineFile) (*IJBLandmarks, error) { return readLandmarkFile(lf, false) }

func readLandmarkFile(lf *lineFile, points bool) (*IJBLandmarks, error) {
	l := &IJBLandmarks{Images: make([]string, lf.lines), Scores: make([]float32, lf.lines)}
	if points {
		l.Landmarks = make([][10]float32, lf.lines)
	}
	var bl blanks
	err := eachImageLine(lf, 12, l.Images, &bl, func(i, n int, f [][]byte) error {
		if n != 12 {
			return fmt.Errorf("%d fields, want 12 (image, 5 landmark points, score)", n)
		}
		if points {
			pts := &l.Landmarks[i]
			for k := range pts {
				v, ok := parseFloat(f[1+k])
				if !ok {
					return fmt.Errorf("landmark %q is not a number", truncate(string(f[1+k]), 20))
				}
				pts[k] = float32(v)
			}
		}
		// numpy parses the text as a float64 and then casts to float32
		s, ok := parseFloat(f[11])
		if !ok {
			return fmt.Errorf("score %q is not a number", truncate(string(f[11]), 20))
		}
		l.Scores[i] = float32(s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(bl.idx)
	l.Images, l.Scores = compact(l.Images, bl.idx), compact(l.Scores, bl.idx)
	if points {
		l.Landmarks = compact(l.Landmarks, bl.idx)
	}
	if len(l.Images) == 0 {
		return nil, fmt.Errorf("no images")
	}
	return l, nil
}

// parseFloat is strconv.ParseFloat(string(b), 64) without copying b.
func parseFloat(b []byte) (float64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), 64)
	return v, err == nil // err (which holds b) is dropped here
}
