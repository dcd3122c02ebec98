package dataset

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
// same images in the same order as the template file.
func ReadIJBMeta(dir, target string) (*IJBMeta, error) {
	t := strings.ToLower(strings.ReplaceAll(target, "-", ""))
	if t != "ijbb" && t != "ijbc" {
		return nil, fmt.Errorf("dataset: IJB target %q, want IJBB or IJBC", target)
	}
	m := &IJBMeta{}
	var err error
	if m.TemplateMedia, err = readWith(filepath.Join(dir, t+"_face_tid_mid.txt"), ParseIJBTemplateMedia); err != nil {
		return nil, err
	}
	if m.Pairs, err = readWith(filepath.Join(dir, t+"_template_pair_label.txt"), ParseIJBTemplatePairs); err != nil {
		return nil, err
	}
	lp := filepath.Join(dir, t+"_name_5pts_score.txt")
	if _, serr := os.Stat(lp); serr == nil {
		if m.Landmarks, err = readWith(lp, ParseIJBLandmarks); err != nil {
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
	}
	return m, nil
}

func readWith[T any](p string, parse func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(p)
	if err != nil {
		return zero, fmt.Errorf("dataset: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: nothing to lose
	v, err := parse(f)
	if err != nil {
		return zero, fmt.Errorf("dataset: %s: %w", p, err)
	}
	return v, nil
}

// eachLine calls fn with the space-separated fields of every non-blank
// line and its 1-based number.
func eachLine(r io.Reader, fn func(n int, f []string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if err := fn(n, f); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}

func parseID(s, what string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not an integer", what, truncate(s, 20))
	}
	return v, nil
}

// ParseIJBTemplateMedia reads "image_name template_id media_id" lines.
func ParseIJBTemplateMedia(r io.Reader) (*IJBTemplateMedia, error) {
	m := &IJBTemplateMedia{}
	err := eachLine(r, func(n int, f []string) error {
		if len(f) != 3 {
			return fmt.Errorf("%d fields, want 3 (image template media)", len(f))
		}
		t, err := parseID(f[1], "template id")
		if err != nil {
			return err
		}
		md, err := parseID(f[2], "media id")
		if err != nil {
			return err
		}
		m.Images = append(m.Images, f[0])
		m.Templates = append(m.Templates, t)
		m.Media = append(m.Media, md)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(m.Images) == 0 {
		return nil, fmt.Errorf("no images")
	}
	return m, nil
}

// ParseIJBTemplatePairs reads "template1 template2 label" lines, label 0 or 1.
func ParseIJBTemplatePairs(r io.Reader) (*IJBTemplatePairs, error) {
	p := &IJBTemplatePairs{}
	err := eachLine(r, func(n int, f []string) error {
		if len(f) != 3 {
			return fmt.Errorf("%d fields, want 3 (template1 template2 label)", len(f))
		}
		a, err := parseID(f[0], "template id")
		if err != nil {
			return err
		}
		b, err := parseID(f[1], "template id")
		if err != nil {
			return err
		}
		var l bool
		switch f[2] {
		case "1":
			l = true
		case "0":
		default:
			return fmt.Errorf("label %q, want 0 or 1", truncate(f[2], 20))
		}
		p.T1, p.T2, p.Labels = append(p.T1, a), append(p.T2, b), append(p.Labels, l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(p.Labels) == 0 {
		return nil, fmt.Errorf("no template pairs")
	}
	return p, nil
}

// ParseIJBLandmarks reads "image_name x1 y1 … x5 y5 score" lines.
func ParseIJBLandmarks(r io.Reader) (*IJBLandmarks, error) {
	l := &IJBLandmarks{}
	err := eachLine(r, func(n int, f []string) error {
		if len(f) != 12 {
			return fmt.Errorf("%d fields, want 12 (image, 5 landmark points, score)", len(f))
		}
		var pts [10]float32
		for i := range pts {
			v, err := strconv.ParseFloat(f[1+i], 64)
			if err != nil {
				return fmt.Errorf("landmark %q is not a number", truncate(f[1+i], 20))
			}
			pts[i] = float32(v)
		}
		// numpy parses the text as a float64 and then casts to float32
		s, err := strconv.ParseFloat(f[11], 64)
		if err != nil {
			return fmt.Errorf("score %q is not a number", truncate(f[11], 20))
		}
		l.Images = append(l.Images, f[0])
		l.Landmarks = append(l.Landmarks, pts)
		l.Scores = append(l.Scores, float32(s))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(l.Images) == 0 {
		return nil, fmt.Errorf("no images")
	}
	return l, nil
}
