package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
	"github.com/google/go-cmp/cmp"
)

func TestParseIssame(t *testing.T) {
	got, err := ParseIssame(strings.NewReader("1\n0\n# comment\n\n true \nFALSE\nyes\nno\nsame\ndiff\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, false, true, false, true, false, true, false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = ParseIssame(strings.NewReader("1\n2\n"))
	if err == nil || !strings.Contains(err.Error(), `line 2: "2"`) {
		t.Errorf("bad label: err = %v", err)
	}
	var buf bytes.Buffer
	if err := WriteIssameText(&buf, want); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "1\n0\n1\n0\n1\n0\n1\n0\n" {
		t.Errorf("WriteIssameText = %q", buf.String())
	}
}

func TestReadIssameFile(t *testing.T) {
	dir := t.TempDir()
	want := []bool{true, false, true}
	for _, tc := range []struct {
		name string
		a    *nd.Array
	}{
		{"bool.npy", nd.Must(nd.FromInts(nd.Bool, []int64{1, 0, 1}))},
		{"bool_col.npy", nd.Must(nd.FromInts(nd.Bool, []int64{1, 0, 1}, 3, 1))},
		{"int.npy", nd.Must(nd.FromInts(nd.Int32, []int64{1, 0, 1}, 3, 1))},
		{"float.npy", nd.Must(nd.FromFloat64([]float64{1, 0, 1}))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := nd.WriteNpyFile(p, tc.a); err != nil {
				t.Fatal(err)
			}
			got, err := ReadIssameFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
		})
	}
	bad := filepath.Join(dir, "bad.npy")
	if err := nd.WriteNpyFile(bad, nd.Must(nd.FromInt64([]int64{1, 2}))); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadIssameFile(bad); err == nil || !strings.Contains(err.Error(), "issame[1] is 2") {
		t.Errorf("bad npy: err = %v", err)
	}
	matrix := filepath.Join(dir, "m.npy")
	if err := nd.WriteNpyFile(matrix, nd.Must(nd.FromInt64([]int64{1, 0, 1, 0}, 2, 2))); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadIssameFile(matrix); err == nil || !strings.Contains(err.Error(), "shape (2, 2)") {
		t.Errorf("matrix: err = %v", err)
	}
	boolMatrix := filepath.Join(dir, "bm.npy")
	if err := nd.WriteNpyFile(boolMatrix, nd.Must(nd.FromInts(nd.Bool, []int64{1, 0, 1, 0}, 2, 2))); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadIssameFile(boolMatrix); err == nil || !strings.Contains(err.Error(), "shape (2, 2)") {
		t.Errorf("bool matrix: err = %v", err)
	}
	got, err := ReadIssameFile(filepath.Join("..", "testdata", "dataset", "py2_protocol2.bin"))
	if err != nil || !cmp.Equal(got, []bool{true, false}) {
		t.Errorf(".bin: %v %v", got, err)
	}
	txt := filepath.Join(dir, "l.txt")
	os.WriteFile(txt, []byte("true\nfalse\ntrue\n"), 0o644)
	if got, err := ReadIssameFile(txt); err != nil || !cmp.Equal(got, want) {
		t.Errorf("text: %v %v", got, err)
	}
	if _, err := ReadIssameFile(filepath.Join(dir, "missing.txt")); err == nil {
		t.Error("missing file: no error")
	}
}

func FuzzParseIssame(f *testing.F) {
	f.Add("1\n0\ntrue\n")
	f.Add("# c\n\n yes \n")
	f.Add("2\n")
	f.Add("\ufeff1\r\n0\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseIssame(strings.NewReader(s))
		if !strings.HasPrefix(s, "\ufeff") {
			// a byte-order mark in front changes nothing
			m, merr := ParseIssame(strings.NewReader("\ufeff" + s))
			if (err == nil) != (merr == nil) || !cmp.Equal(l, m) {
				t.Fatalf("with a byte-order mark: %v, %v; without: %v, %v", m, merr, l, err)
			}
		}
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteIssameText(&buf, l); err != nil {
			t.Fatal(err)
		}
		m, err := ParseIssame(&buf)
		if err != nil || !cmp.Equal(l, m, cmp.Comparer(func(a, b []bool) bool { return len(a) == len(b) && (len(a) == 0 || cmp.Equal(a, b)) })) {
			t.Fatalf("round trip: %v vs %v (%v)", l, m, err)
		}
	})
}

func FuzzReadIssameNpy(f *testing.F) {
	for _, a := range []*nd.Array{
		nd.Must(nd.FromInts(nd.Bool, []int64{1, 0, 1})),
		nd.Must(nd.FromInts(nd.Int32, []int64{1, 0}, 2, 1)),
		nd.Must(nd.FromFloat64([]float64{0, 1, 0.5})),
	} {
		var buf bytes.Buffer
		if err := nd.WriteNpy(&buf, a); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := nd.ReadNpy(bytes.NewReader(b))
		if err != nil {
			return
		}
		l, err := IssameFromArray(a)
		if err == nil && len(l) != a.Size() {
			t.Fatalf("%d labels from %d elements", len(l), a.Size())
		}
	})
}
