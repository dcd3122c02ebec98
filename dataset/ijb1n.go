package dataset

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// IJB1NList is an IJB-B/C 1:N gallery or probe file
// ({ijbc,ijbb}_1N_gallery_G1.csv, …_probe_mixed.csv): a header line, then
// one comma-separated line per image whose first two fields are its
// template id and subject id (later fields, such as the file name, are not
// read).
type IJB1NList struct {
	Templates []int64
	Subjects  []int64
}

// IJB1NMeta is the 1:N protocol of an IJB-B or IJB-C meta directory: the
// two galleries (IJB-C's G1 and G2, IJB-B's S1 and S2) and the mixed
// probes.
type IJB1NMeta struct {
	// GalleryNames are the galleries' names as the files spell them
	// ("G1", "G2" or "S1", "S2").
	GalleryNames [2]string
	Galleries    [2]*IJB1NList
	Probes       *IJB1NList
}

// ReadIJB1NMeta reads dir/{t}_1N_gallery_G1.csv and _G2.csv (IJB-C) or
// _S1.csv and _S2.csv (IJB-B) and dir/{t}_1N_probe_mixed.csv, t = "ijbc"
// or "ijbb" from target ("IJBC", "IJBB", case-insensitive).
func ReadIJB1NMeta(dir, target string) (*IJB1NMeta, error) {
	t := strings.ToLower(strings.ReplaceAll(target, "-", ""))
	m := &IJB1NMeta{}
	switch t {
	case "ijbc":
		m.GalleryNames = [2]string{"G1", "G2"}
	case "ijbb":
		m.GalleryNames = [2]string{"S1", "S2"}
	default:
		return nil, fmt.Errorf("dataset: IJB target %q, want IJBB or IJBC", target)
	}
	var err error
	for i, g := range m.GalleryNames {
		if m.Galleries[i], err = readWith(filepath.Join(dir, t+"_1N_gallery_"+g+".csv"), ParseIJB1NList); err != nil {
			return nil, err
		}
	}
	if m.Probes, err = readWith(filepath.Join(dir, t+"_1N_probe_mixed.csv"), ParseIJB1NList); err != nil {
		return nil, err
	}
	return m, nil
}

// ParseIJB1NList reads a 1:N CSV: the first line is a header and is
// skipped (as numpy's loadtxt(skiprows=1) and pandas' read_csv(skiprows=1)
// in insightface's scripts do); every other non-blank line needs an
// integer template id and subject id as its first two fields.
func ParseIJB1NList(r io.Reader) (*IJB1NList, error) {
	l := &IJB1NList{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if n == 1 {
			continue
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.SplitN(line, ",", 3)
		if len(f) < 2 {
			return nil, fmt.Errorf("line %d: %d field, want at least 2 (template id, subject id)", n, len(f))
		}
		t, err := parseID([]byte(strings.TrimSpace(f[0])), "template id")
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		s, err := parseID([]byte(strings.TrimSpace(f[1])), "subject id")
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		l.Templates = append(l.Templates, t)
		l.Subjects = append(l.Subjects, s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(l.Templates) == 0 {
		return nil, fmt.Errorf("no templates after the header line")
	}
	return l, nil
}

// Unique returns the list's template ids in ascending order with the
// subject id of each one's first line (numpy's np.unique(templates,
// return_index=True), as insightface's image2template_feature takes them).
func (l *IJB1NList) Unique() (templates, subjects []int64) {
	first := make(map[int64]int64, len(l.Templates))
	for i, t := range l.Templates {
		if _, ok := first[t]; !ok {
			first[t] = l.Subjects[i]
			templates = append(templates, t)
		}
	}
	slices.Sort(templates)
	subjects = make([]int64, len(templates))
	for i, t := range templates {
		subjects[i] = first[t]
	}
	return templates, subjects
}
