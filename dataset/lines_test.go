package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTextFormatsAcceptByteOrderMark(t *testing.T) {
	// Windows editors start UTF-8 text with a byte-order mark.
	const bom = "\ufeff"
	issame, err := ParseIssame(strings.NewReader(bom + "1\r\n0\r\n"))
	if err != nil || !cmp.Equal(issame, []bool{true, false}) {
		t.Errorf("issame = %v, %v", issame, err)
	}
	pairs, err := ParseLFWPairs(strings.NewReader(bom + "A\t1\t2\nB\t1\tC\t2\n"))
	if err != nil || len(pairs.Pairs) != 2 || pairs.Pairs[0].Name1 != "A" {
		t.Errorf("pairs = %+v, %v", pairs, err)
	}
	list, err := ReadImageList(strings.NewReader(bom + "a.jpg\nb.jpg\n"))
	if err != nil || !cmp.Equal(list, []string{"a.jpg", "b.jpg"}) {
		t.Errorf("image list = %q, %v", list, err)
	}
	// Only at the start: a mark inside the text is data.
	if _, err := ParseIssame(strings.NewReader("1\n" + bom + "0\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("mark on line 2: err = %v", err)
	}
}

func TestTextFormatsNameLongLine(t *testing.T) {
	// A 4 MB line: the error names the file and the line, not only
	// "bufio.Scanner: token too long".
	dir := t.TempDir()
	long := strings.Repeat("x", 4<<20) + "\n"
	for _, tc := range []struct {
		name, head string
		read       func(string) error
	}{
		{"issame.txt", "1\n0\n", func(p string) error { _, err := ReadIssameFile(p); return err }},
		{"pairs.txt", "A 1 2\nB 1 C 2\n", func(p string) error { _, err := ReadLFWPairsFile(p); return err }},
		{"images.txt", "a.jpg\nb.jpg\n", func(p string) error { _, err := ReadImageListFile(p); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := os.WriteFile(p, []byte(tc.head+long), 0o644); err != nil {
				t.Fatal(err)
			}
			err := tc.read(p)
			want := p + ": line 3 is longer than 1048576 bytes"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want it to contain %q", err, want)
			}
		})
	}
}
