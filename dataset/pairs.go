package dataset

import (
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// LFWPair is one line of an LFW pairs.txt: two images, each a person's name
// and 1-based image number, and whether they show the same person.
type LFWPair struct {
	Name1 string
	Num1  int
	Name2 string
	Num2  int
	Same  bool
}

// Keys returns the images' keys, "Name_0001" — the LFW file names without
// directory and extension, which ImageRows matches.
func (p LFWPair) Keys() (string, string) {
	return fmt.Sprintf("%s_%04d", p.Name1, p.Num1), fmt.Sprintf("%s_%04d", p.Name2, p.Num2)
}

// Paths returns the images' paths relative to the LFW root, as
// "Name/Name_0001.jpg".
func (p LFWPair) Paths() (string, string) {
	a, b := p.Keys()
	return p.Name1 + "/" + a + ".jpg", p.Name2 + "/" + b + ".jpg"
}

// LFWPairs is a parsed pairs.txt.
type LFWPairs struct {
	// Sets and PerSet are the header's numbers (10 and 300 for View 2's
	// pairs.txt; Sets is 1 and PerSet the count for pairsDevTrain.txt's
	// one-number header; both 0 without a header).
	Sets, PerSet int
	// Pairs in file order: in each set PerSet matched pairs then PerSet
	// mismatched ones — the order insightface's lfw2pack.py keeps, so the
	// 10 folds of the protocol are the 10 official sets.
	Pairs []LFWPair
}

// ReadLFWPairsFile reads an LFW pairs.txt; see ParseLFWPairs.
func ReadLFWPairsFile(p string) (*LFWPairs, error) { return readWith(p, ParseLFWPairs) }

// ParseLFWPairs reads the LFW pairs format: an optional header ("10 300",
// or one number), then one pair per line, fields separated by tabs or
// spaces: "name n1 n2" for a matched pair, "name1 n1 name2 n2" for a
// mismatched one. Image numbers start at 1. Blank lines are skipped. With
// a two-number header the pair count must be sets × 2 × per-set.
func ParseLFWPairs(r io.Reader) (*LFWPairs, error) {
	sc := newTextLines(r)
	out := &LFWPairs{}
	first := true
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if first {
			first = false
			if h, ok := parseHeader(f); ok {
				out.Sets, out.PerSet = h[0], h[1]
				continue
			}
		}
		var p LFWPair
		var err error
		switch len(f) {
		case 3:
			p = LFWPair{Name1: f[0], Name2: f[0], Same: true}
			p.Num1, err = imageNumber(f[1])
			if err == nil {
				p.Num2, err = imageNumber(f[2])
			}
		case 4:
			p = LFWPair{Name1: f[0], Name2: f[2]}
			p.Num1, err = imageNumber(f[1])
			if err == nil {
				p.Num2, err = imageNumber(f[3])
			}
		default:
			err = fmt.Errorf("%d fields; want \"name n1 n2\" or \"name1 n1 name2 n2\"", len(f))
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out.Pairs = append(out.Pairs, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out.Pairs) == 0 {
		return nil, fmt.Errorf("no pairs")
	}
	if out.Sets > 0 && out.PerSet > 0 && out.Sets*2*out.PerSet != len(out.Pairs) {
		return nil, fmt.Errorf("header announces %d sets of 2×%d pairs (%d), file has %d", out.Sets, out.PerSet, out.Sets*2*out.PerSet, len(out.Pairs))
	}
	return out, nil
}

// parseHeader recognises "sets perSet" or a single count.
func parseHeader(f []string) ([2]int, bool) {
	var h [2]int
	if len(f) > 2 {
		return h, false
	}
	for i, s := range f {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			return h, false
		}
		h[i] = v
	}
	if len(f) == 1 {
		h = [2]int{1, h[0]}
		return h, true
	}
	return h, true
}

func imageNumber(s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 || v > 1_000_000 {
		return 0, fmt.Errorf("image number %q is not a positive integer", truncate(s, 20))
	}
	return v, nil
}

// Issame returns the pairs' labels in order.
func (l *LFWPairs) Issame() []bool {
	out := make([]bool, len(l.Pairs))
	for i, p := range l.Pairs {
		out[i] = p.Same
	}
	return out
}

// ImageRows maps every pair to rows of an embedding matrix whose row i
// embeds images[i] (an image list, as ReadImageList returns). An image is
// matched by its file name without directory and extension ("Name_0001"),
// so absolute, relative and re-encoded (.png) paths all work. It fails
// naming the first image that is missing or listed twice.
func (l *LFWPairs) ImageRows(images []string) (a, b []int, err error) {
	rows := make(map[string]int, len(images))
	dup := map[string]bool{}
	for i, p := range images {
		k := imageKey(p)
		if _, ok := rows[k]; ok {
			dup[k] = true
		}
		rows[k] = i
	}
	a, b = make([]int, len(l.Pairs)), make([]int, len(l.Pairs))
	for i, p := range l.Pairs {
		k1, k2 := p.Keys()
		for j, k := range [2]string{k1, k2} {
			r, ok := rows[k]
			if !ok {
				return nil, nil, fmt.Errorf("dataset: pair %d: image %s is not in the image list (%d images)", i, k, len(images))
			}
			if dup[k] {
				return nil, nil, fmt.Errorf("dataset: pair %d: image %s appears more than once in the image list", i, k)
			}
			if j == 0 {
				a[i] = r
			} else {
				b[i] = r
			}
		}
	}
	return a, b, nil
}

// imageKey is a path's base name without extension.
func imageKey(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	base := path.Base(p)
	if ext := path.Ext(base); ext != "" {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

// ReadImageListFile reads an image list; see ReadImageList.
func ReadImageListFile(p string) ([]string, error) { return readWith(p, ReadImageList) }

// ReadImageList reads one image path per line (the first whitespace-
// separated field, so "path label" lists work); blank lines and # comments
// are skipped. Row i of the embeddings is the i-th path.
func ReadImageList(r io.Reader) ([]string, error) {
	sc := newTextLines(r)
	var out []string
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		out = append(out, f[0])
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty image list")
	}
	return out, nil
}
