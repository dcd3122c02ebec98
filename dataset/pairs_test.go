package dataset

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const pairsTxt = "2\t2\n" +
	"Abel_Pacheco\t1\t4\n" +
	"Akhmed_Zakayev\t1\t3\n" +
	"Abdel_Madi_Shabneh\t1\tDean_Barker\t1\n" +
	"Abdel_Madi_Shabneh\t1\tGiancarlo_Fisichella\t1\n" +
	"Abdullah_Gul\t13\t14\n" +
	"Abdullah_Gul\t13\t16\n" +
	"Abdel_Aziz_Al-Hakim\t1\tFrank_Coraci\t3\n" +
	"Abdel_Nasser_Assidi\t2\tHilary_McKay\t1\n"

func TestParseLFWPairs(t *testing.T) {
	p, err := ParseLFWPairs(strings.NewReader(pairsTxt))
	if err != nil {
		t.Fatal(err)
	}
	if p.Sets != 2 || p.PerSet != 2 || len(p.Pairs) != 8 {
		t.Fatalf("got %d sets of %d, %d pairs", p.Sets, p.PerSet, len(p.Pairs))
	}
	if diff := cmp.Diff([]bool{true, true, false, false, true, true, false, false}, p.Issame()); diff != "" {
		t.Errorf("issame (-want +got):\n%s", diff)
	}
	want := LFWPair{Name1: "Abdel_Madi_Shabneh", Num1: 1, Name2: "Dean_Barker", Num2: 1}
	if p.Pairs[2] != want {
		t.Errorf("pair 2 = %+v, want %+v", p.Pairs[2], want)
	}
	a, b := p.Pairs[0].Paths()
	if a != "Abel_Pacheco/Abel_Pacheco_0001.jpg" || b != "Abel_Pacheco/Abel_Pacheco_0004.jpg" {
		t.Errorf("paths %s %s", a, b)
	}
	// without a header, single-number header
	if q, err := ParseLFWPairs(strings.NewReader("A 1 2\nB 1 C 2\n")); err != nil || len(q.Pairs) != 2 || q.Sets != 0 {
		t.Errorf("headerless: %+v %v", q, err)
	}
	if q, err := ParseLFWPairs(strings.NewReader("1\nA 1 2\nB 1 C 2\n")); err != nil || q.Sets != 1 || q.PerSet != 1 {
		t.Errorf("one-number header: %+v %v", q, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"10 300\nA 1 2\n", "header announces 10 sets of 2×300 pairs (6000), file has 1"},
		{"A 1\n", "line 1: 2 fields"},
		{"A 0 2\n", `line 1: image number "0"`},
		{"A 1 x\n", `image number "x"`},
		{"", "no pairs"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if _, err := ParseLFWPairs(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q: err = %v, want %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestImageRows(t *testing.T) {
	p, err := ParseLFWPairs(strings.NewReader("A 1 2\nA 2 B_C 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	list, err := ReadImageList(strings.NewReader("# images\n/data/lfw/B_C/B_C_0001.jpg 5\nA/A_0002.png\nA\\A_0001.jpg\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, b, err := p.ImageRows(list)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2, 1}, a); diff != "" {
		t.Errorf("a (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 0}, b); diff != "" {
		t.Errorf("b (-want +got):\n%s", diff)
	}
	if _, _, err := p.ImageRows(list[:2]); err == nil || !strings.Contains(err.Error(), "image A_0001 is not in the image list") {
		t.Errorf("missing: err = %v", err)
	}
	if _, _, err := p.ImageRows(append(list, "x/A_0001.jpg")); err == nil || !strings.Contains(err.Error(), "more than once") {
		t.Errorf("duplicate: err = %v", err)
	}
	if _, err := ReadImageList(strings.NewReader("\n# x\n")); err == nil {
		t.Error("empty list: no error")
	}
}

func FuzzParseLFWPairs(f *testing.F) {
	f.Add(pairsTxt)
	f.Add("A 1 2\n")
	f.Add("1\nA 1 B 2\n")
	f.Add("\ufeff1 1\r\nA 1 2\r\nA 1 B 2\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseLFWPairs(strings.NewReader(s))
		if !strings.HasPrefix(s, "\ufeff") {
			// a byte-order mark in front changes nothing
			q, qerr := ParseLFWPairs(strings.NewReader("\ufeff" + s))
			if (err == nil) != (qerr == nil) || !cmp.Equal(p, q) {
				t.Fatalf("with a byte-order mark: %+v, %v; without: %+v, %v", q, qerr, p, err)
			}
		}
		if err != nil {
			return
		}
		if len(p.Pairs) == 0 {
			t.Fatal("accepted a file without pairs")
		}
		for _, q := range p.Pairs {
			if q.Num1 < 1 || q.Num2 < 1 || q.Name1 == "" || q.Name2 == "" || (q.Same && q.Name1 != q.Name2) {
				t.Fatalf("bad pair %+v", q)
			}
		}
		var list []string
		for _, q := range p.Pairs {
			x, y := q.Paths()
			list = append(list, x, y)
		}
		// every image listed (duplicates allowed only if never referenced twice)
		_, _, _ = p.ImageRows(list)
	})
}

func FuzzReadImageList(f *testing.F) {
	f.Add("a/b.jpg 1\n# c\nx.png\n")
	f.Add("\ufeffa.jpg\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ReadImageList(strings.NewReader(s))
		if !strings.HasPrefix(s, "\ufeff") {
			// a byte-order mark in front changes nothing
			m, merr := ReadImageList(strings.NewReader("\ufeff" + s))
			if (err == nil) != (merr == nil) || !cmp.Equal(l, m) {
				t.Fatalf("with a byte-order mark: %q, %v; without: %q, %v", m, merr, l, err)
			}
		}
		if err == nil && len(l) == 0 {
			t.Fatal("empty list accepted")
		}
	})
}
