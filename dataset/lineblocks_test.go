package dataset

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// refPairs is a plain line-by-line reading of a pair file, the reference
// for the block reader: a leading UTF-8 BOM dropped, lines split at "\n",
// fields at ASCII white space, blank lines skipped.
func refPairs(s string) (*IJBTemplatePairs, int, error) {
	s = strings.TrimPrefix(s, "\ufeff")
	p := &IJBTemplatePairs{}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		f := strings.FieldsFunc(line, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, i + 1, fmt.Errorf("fields")
		}
		a, err1 := strconv.ParseInt(f[0], 10, 64)
		b, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil || (f[2] != "0" && f[2] != "1") {
			return nil, i + 1, fmt.Errorf("value")
		}
		p.T1, p.T2, p.Labels = append(p.T1, a), append(p.T2, b), append(p.Labels, f[2] == "1")
	}
	if len(p.Labels) == 0 {
		return nil, 0, fmt.Errorf("no template pairs")
	}
	return p, 0, nil
}

// pairsInBlocks reads data as a pair file of blocks of block bytes, in
// memory (as a mapped file is read) and through read buffers (as files
// that cannot be mapped are), and fails unless both agree.
func pairsInBlocks(data []byte, block int64) (*IJBTemplatePairs, error) {
	mem, errMem := (&IJBPairReader{lf: memLineFile(data, block)}).ReadAll()
	lf, err := newLineFile(bytes.NewReader(data), nil, int64(len(data)), block, int64(len(data)))
	if err != nil {
		return nil, err
	}
	read, errRead := (&IJBPairReader{lf: lf}).ReadAll()
	if fmt.Sprint(errMem) != fmt.Sprint(errRead) || !reflect.DeepEqual(mem, read) {
		return nil, fmt.Errorf("in memory %v, %v; through read buffers %v, %v", mem, errMem, read, errRead)
	}
	return mem, errMem
}

// checkPairs compares the block reader at several block sizes with refPairs.
func checkPairs(t *testing.T, s string) {
	t.Helper()
	want, wantLine, wantErr := refPairs(s)
	for _, block := range []int64{1, 2, 3, 5, 8, 64, int64(len(s)) + 1} {
		got, err := pairsInBlocks([]byte(s), block)
		switch {
		case wantErr != nil && err == nil:
			t.Fatalf("block %d: %q: no error, reference fails on line %d", block, s, wantLine)
		case wantErr == nil && err != nil:
			t.Fatalf("block %d: %q: %v", block, s, err)
		case err != nil:
			if wantLine > 0 && !strings.HasPrefix(err.Error(), fmt.Sprintf("line %d:", wantLine)) {
				t.Fatalf("block %d: %q: error %q, want line %d", block, s, err, wantLine)
			}
		default:
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("block %d: %q (-want +got):\n%s", block, s, diff)
			}
		}
	}
}

func TestPairBlocks(t *testing.T) {
	for _, s := range []string{
		"7 3 0\n3 3 1\n",
		"7 3 0\n3 3 1",
		"\ufeff7 3 0\r\n3 3 1\r\n",
		"\n\n7 3 0\n  \n\t\n3 -3 1\n\n",
		"12345678 87654321 1\n" + strings.Repeat("1 2 0\n", 50) + "9 9 1",
		"7 3 0\n3 3 2\n1 1 1\n",
		"7 3 0\n3 x 1\n1 1 1 1\n",
		"7 3 0 0\n",
		"\ufeff",
		"",
		"\n \n",
		"9223372036854775807 -9223372036854775808 0\n",
		"9223372036854775808 1 0\n",
		"\ufeff\ufeff1 2 0\n",
		// more lines than a block's first guess (a line per 12 bytes):
		// the parse buffers grow, in the fast and in the slow form
		strings.Repeat("\n", 100) + strings.Repeat("3 4 1\n", 60) + strings.Repeat(" 5 6 0\n", 40),
	} {
		checkPairs(t, s)
	}
}

func FuzzPairBlocks(f *testing.F) {
	f.Add("7 3 0\n3 3 1\n")
	f.Add("\ufeff7 3 0\r\n\n3 3 1")
	f.Add("1 2 0\n1 2 3\n")
	f.Fuzz(func(t *testing.T, s string) { checkPairs(t, s) })
}

// TestIJBFileErrors checks that errors from the files name the file and
// the line, and that a line too long for a block's read-ahead is refused.
func TestIJBFileErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ijbc_template_pair_label.txt")
	var b bytes.Buffer
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "%d %d %d\n", i, i+1, i%2)
	}
	b.WriteString("5 6 yes\n")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	lf, err := openLineFile(p, 100, 50)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.close()
	_, err = (&IJBPairReader{lf: lf, path: p}).ReadAll()
	if want := p + `: line 1001: label "yes", want 0 or 1`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
	long := filepath.Join(dir, "long.txt")
	if err := os.WriteFile(long, []byte("1 2 0\n"+strings.Repeat(" ", 300)+"1 2 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lf2, err := openLineFile(long, 16, 50)
	if err != nil {
		t.Fatal(err)
	}
	defer lf2.close()
	if _, err := (&IJBPairReader{lf: lf2}).ReadAll(); err == nil || !strings.Contains(err.Error(), "line 2: line longer than 50 bytes") {
		t.Errorf("long line: err = %v", err)
	}
	// the whole meta reader names the file too
	writeIJB(t, dir, map[string]string{"ijbc_face_tid_mid.txt": "1.jpg 7 10\n2.jpg 7\n"})
	if _, err := ReadIJBMeta(dir, "IJBC"); err == nil || !strings.Contains(err.Error(), "ijbc_face_tid_mid.txt: line 2: 2 fields") {
		t.Errorf("tid_mid: err = %v", err)
	}
}

// TestIJBMetaBlocks reads the same meta files whole and in small blocks.
func TestIJBMetaBlocks(t *testing.T) {
	var tm, lm strings.Builder
	tm.WriteString("\ufeff")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&tm, "%d.jpg %d %d\r\n", i, i/7, i/3)
		fmt.Fprintf(&lm, "%d.jpg 1 2 3 4 5 6 7 8 9.5 %d 0.%03d\n", i, i, i)
		if i%50 == 0 {
			tm.WriteString("\n")
		}
	}
	whole, err := ParseIJBTemplateMedia(strings.NewReader(tm.String()))
	if err != nil {
		t.Fatal(err)
	}
	wholeL, err := ParseIJBLandmarks(strings.NewReader(lm.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Images) != 300 || whole.Images[0] != "0.jpg" || whole.Templates[299] != 299/7 || whole.Media[299] != 299/3 {
		t.Fatalf("whole: %d images, %q …", len(whole.Images), whole.Images[0])
	}
	if wholeL.Scores[123] != float32(0.123) || wholeL.Landmarks[7][9] != 7 || wholeL.Landmarks[7][8] != 9.5 {
		t.Fatalf("landmarks %v %v", wholeL.Scores[123], wholeL.Landmarks[7])
	}
	for _, block := range []int64{1, 7, 100} {
		got, err := readTemplateMedia(memLineFile([]byte(tm.String()), block))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(whole, got); diff != "" {
			t.Errorf("block %d (-whole +blocks):\n%s", block, diff)
		}
		gotL, err := readLandmarks(memLineFile([]byte(lm.String()), block))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wholeL, gotL); diff != "" {
			t.Errorf("landmarks, block %d (-whole +blocks):\n%s", block, diff)
		}
	}
}

func TestReadIJBImageMetaNoPoints(t *testing.T) {
	dir := t.TempDir()
	writeIJB(t, dir, map[string]string{
		"ijbc_face_tid_mid.txt":    "1.jpg 7 10\n2.jpg 7 11\n",
		"ijbc_name_5pts_score.txt": "1.jpg 1 2 3 4 5 6 7 8 9 x 0.99\n2.jpg 1 2 3 4 5 6 7 8 9 10 0.5\n",
	})
	m, err := ReadIJBImageMeta(dir, "IJBC", IJBReadOptions{NoLandmarkPoints: true})
	if err != nil {
		t.Fatal(err)
	}
	if m.Pairs != nil || m.Landmarks.Landmarks != nil || !cmp.Equal(m.Landmarks.Scores, []float32{0.99, 0.5}) {
		t.Errorf("got pairs %v, points %v, scores %v", m.Pairs, m.Landmarks.Landmarks, m.Landmarks.Scores)
	}
	if _, err := ReadIJBImageMeta(dir, "IJBC", IJBReadOptions{}); err == nil || !strings.Contains(err.Error(), `line 1: landmark "x"`) {
		t.Errorf("with points: err = %v", err)
	}
	writeIJB(t, dir, map[string]string{"ijbc_name_5pts_score.txt": "1.jpg 1 2 0.99\n2.jpg 1 2 3 4 5 6 7 8 9 10 0.5\n"})
	if _, err := ReadIJBImageMeta(dir, "IJBC", IJBReadOptions{NoLandmarkPoints: true}); err == nil || !strings.Contains(err.Error(), "line 1: 4 fields") {
		t.Errorf("short line: err = %v", err)
	}
}
