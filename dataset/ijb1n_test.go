package dataset

import (
	"slices"
	"strings"
	"testing"
)

func TestParseIJB1NList(t *testing.T) {
	in := "TEMPLATE_ID,SUBJECT_ID,FILENAME\n7,100,img/1.jpg\n3,200,img/2.jpg\n\n7,100,img/3.jpg\n 5 , 300 \n"
	l, err := ParseIJB1NList(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(l.Templates, []int64{7, 3, 7, 5}) || !slices.Equal(l.Subjects, []int64{100, 200, 100, 300}) {
		t.Fatalf("got %v %v", l.Templates, l.Subjects)
	}
	ts, ss := l.Unique()
	if !slices.Equal(ts, []int64{3, 5, 7}) || !slices.Equal(ss, []int64{200, 300, 100}) {
		t.Fatalf("Unique = %v %v", ts, ss)
	}
	for _, c := range []struct{ in, frag string }{
		{"H\n", "no templates"},
		{"H\n7\n", "line 2: 1 field"},
		{"H\nx,1\n", `line 2: template id "x"`},
		{"H\n1,2.5,a\n", `line 2: subject id "2.5"`},
	} {
		t.Run(c.frag, func(t *testing.T) {
			if _, err := ParseIJB1NList(strings.NewReader(c.in)); err == nil || !strings.Contains(err.Error(), c.frag) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.frag)
			}
		})
	}
}

func TestReadIJB1NMeta(t *testing.T) {
	m, err := ReadIJB1NMeta("../testdata/identify/ijb/meta", "IJBC")
	if err != nil {
		t.Fatal(err)
	}
	ts, _ := m.Galleries[0].Unique()
	if len(ts) != 15 || m.GalleryNames[1] != "G2" {
		t.Fatalf("G1 has %d templates, names %v", len(ts), m.GalleryNames)
	}
	if _, err := ReadIJB1NMeta("../testdata/identify/ijb/meta", "IJBB"); err == nil || !strings.Contains(err.Error(), "ijbb_1N_gallery_S1.csv") {
		t.Errorf("IJBB in an IJB-C directory: %v", err)
	}
	if _, err := ReadIJB1NMeta(".", "LFW"); err == nil {
		t.Error("target LFW accepted")
	}
}

func FuzzParseIJB1NList(f *testing.F) {
	f.Add([]byte("TEMPLATE_ID,SUBJECT_ID,FILENAME\n1,2,a.jpg\n"))
	f.Add([]byte("h\n-1,9223372036854775807\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseIJB1NList(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		if len(l.Templates) != len(l.Subjects) || len(l.Templates) == 0 {
			t.Fatalf("%d templates, %d subjects", len(l.Templates), len(l.Subjects))
		}
		ts, ss := l.Unique()
		if len(ts) != len(ss) || !slices.IsSorted(ts) {
			t.Fatalf("Unique: %v %v", ts, ss)
		}
	})
}
