package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeIJB(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for n, s := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadIJBMeta(t *testing.T) {
	dir := t.TempDir()
	writeIJB(t, dir, map[string]string{
		"ijbc_face_tid_mid.txt":        "1.jpg 7 10\n2.jpg 7 11\n3.jpg 3 20\n",
		"ijbc_template_pair_label.txt": "7 3 0\n3 3 1\n",
		"ijbc_name_5pts_score.txt": "1.jpg 1 2 3 4 5 6 7 8 9 10 0.99\n" +
			"2.jpg 1 2 3 4 5 6 7 8 9 10 0.5\n3.jpg 1.5 2 3 4 5 6 7 8 9 10 1\n",
	})
	m, err := ReadIJBMeta(dir, "IJBC")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&IJBTemplateMedia{
		Images: []string{"1.jpg", "2.jpg", "3.jpg"}, Templates: []int64{7, 7, 3}, Media: []int64{10, 11, 20},
	}, m.TemplateMedia); diff != "" {
		t.Errorf("template media (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&IJBTemplatePairs{T1: []int64{7, 3}, T2: []int64{3, 3}, Labels: []bool{false, true}}, m.Pairs); diff != "" {
		t.Errorf("pairs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float32{0.99, 0.5, 1}, m.Landmarks.Scores); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
	if m.Landmarks.Landmarks[2][0] != 1.5 {
		t.Errorf("landmark %v", m.Landmarks.Landmarks[2])
	}
	// landmark file in another order
	writeIJB(t, dir, map[string]string{"ijbc_name_5pts_score.txt": "2.jpg 1 2 3 4 5 6 7 8 9 10 0.99\n1.jpg 1 2 3 4 5 6 7 8 9 10 0.5\n3.jpg 1 2 3 4 5 6 7 8 9 10 1\n"})
	if _, err := ReadIJBMeta(dir, "ijbc"); err == nil || !strings.Contains(err.Error(), "line 1 names 2.jpg") {
		t.Errorf("order mismatch: err = %v", err)
	}
	os.Remove(filepath.Join(dir, "ijbc_name_5pts_score.txt"))
	if m, err := ReadIJBMeta(dir, "ijbc"); err != nil || m.Landmarks != nil {
		t.Errorf("without landmarks: %v %v", m, err)
	}
	if _, err := ReadIJBMeta(dir, "IJBB"); err == nil || !strings.Contains(err.Error(), "ijbb_face_tid_mid.txt") {
		t.Errorf("missing IJBB: err = %v", err)
	}
	if _, err := ReadIJBMeta(dir, "lfw"); err == nil {
		t.Error("bad target: no error")
	}
}

func TestParseIJBErrors(t *testing.T) {
	for _, tc := range []struct {
		parse func(string) error
		in    string
		want  string
	}{
		{tm, "a 1\n", "line 1: 2 fields"},
		{tm, "a x 1\n", `template id "x"`},
		{tm, "", "no images"},
		{tp, "1 2 2\n", `label "2"`},
		{tp, "1 2\n", "2 fields"},
		{tp, "\n", "no template pairs"},
		{lm, "a 1 2 3 4 5 6 7 8 9 10\n", "11 fields"},
		{lm, "a 1 2 3 4 5 6 7 8 9 y 1\n", `landmark "y"`},
		{lm, "a 1 2 3 4 5 6 7 8 9 1 s\n", `score "s"`},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if err := tc.parse(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q: err = %v, want %q", tc.in, err, tc.want)
			}
		})
	}
}

func tm(s string) error { _, err := ParseIJBTemplateMedia(strings.NewReader(s)); return err }
func tp(s string) error { _, err := ParseIJBTemplatePairs(strings.NewReader(s)); return err }
func lm(s string) error { _, err := ParseIJBLandmarks(strings.NewReader(s)); return err }

func FuzzParseIJBMeta(f *testing.F) {
	f.Add("1.jpg 7 10\n2.jpg 7 11\n")
	f.Add("7 3 0\n3 3 1\n")
	f.Add("1.jpg 1 2 3 4 5 6 7 8 9 10 0.99\n")
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := ParseIJBTemplateMedia(strings.NewReader(s)); err == nil {
			if len(m.Images) != len(m.Templates) || len(m.Images) != len(m.Media) || len(m.Images) == 0 {
				t.Fatalf("inconsistent %+v", m)
			}
		}
		if p, err := ParseIJBTemplatePairs(strings.NewReader(s)); err == nil {
			if len(p.T1) != len(p.T2) || len(p.T1) != len(p.Labels) || len(p.T1) == 0 {
				t.Fatalf("inconsistent %+v", p)
			}
		}
		if l, err := ParseIJBLandmarks(strings.NewReader(s)); err == nil {
			if len(l.Images) != len(l.Scores) || len(l.Images) != len(l.Landmarks) {
				t.Fatalf("inconsistent %+v", l)
			}
		}
	})
}
