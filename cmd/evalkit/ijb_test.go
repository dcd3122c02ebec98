package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// specLCGScores is the synthetic IJB example of verify's tests: glibc's
// LCG from 2024, 1000 genuine scores 0.9·mean4+0.1 then 200000 impostor
// scores 0.6·mean4 − 0.2.
func specLCGScores() ([]float64, []int64) {
	s := uint64(2024)
	next := func() float64 {
		s = (1103515245*s + 12345) % (1 << 31)
		return float64(s) / (1 << 31)
	}
	mean4 := func() float64 {
		a := next()
		a += next()
		a += next()
		a += next()
		return a * 0.25
	}
	var sc []float64
	var lab []int64
	for i := 0; i < 1000; i++ {
		sc = append(sc, float64(0.9*mean4())+0.1)
		lab = append(lab, 1)
	}
	for i := 0; i < 200000; i++ {
		sc = append(sc, float64(0.6*mean4())-0.2)
		lab = append(lab, 0)
	}
	return sc, lab
}

func TestIJBScoresTable(t *testing.T) {
	dir := t.TempDir()
	sc, lab := specLCGScores()
	scores := writeVerifyNpy(t, dir, "ijbc.npy", nd.Must(nd.FromFloat64(sc)))
	labels := writeVerifyNpy(t, dir, "labels.npy", nd.Must(nd.FromInts(nd.Bool, lab)))
	plot := filepath.Join(dir, "roc.png")
	out, _, err := runCLI(t, "ijb", "--scores", scores, "--labels", labels, "--plot", plot)
	if err != nil {
		t.Fatal(err)
	}
	want := `+-----------+-------+-------+--------+-------+-------+-------+
|  Methods  | 1e-06 | 1e-05 | 0.0001 | 0.001 |  0.01 |  0.1  |
+-----------+-------+-------+--------+-------+-------+-------+
| ijbc-IJBC | 91.10 | 91.60 | 92.40  | 95.50 | 98.10 | 99.60 |
+-----------+-------+-------+--------+-------+-------+-------+
`
	if !strings.HasPrefix(out, want) {
		t.Errorf("got\n%s\nwant prefix\n%s", out, want)
	}
	if !strings.Contains(out, "[ijbc-IJBC]AUC: 0.998837 ") {
		t.Errorf("AUC line missing:\n%s", out)
	}
	if _, err := os.Stat(plot); err != nil {
		t.Error(err)
	}
	out, _, err = runCLI(t, "ijb", "--scores", scores, "--labels", labels, "--json", "--method", "arcface", "--far", "1e-4")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Method, Target    string
		Genuine, Impostor int64
		AUC               float64
		TARAtFAR          []struct{ FAR, TAR float64 } `json:"tar_at_far"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Method != "arcface" || r.Target != "IJBC" || r.Genuine != 1000 || r.Impostor != 200000 ||
		len(r.TARAtFAR) != 1 || r.TARAtFAR[0].TAR != 0.924 {
		t.Errorf("json: %+v", r)
	}
}

func writeMeta(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		// a hand-worked aggregation example: feats [[3,4],[1,0],[0,2],[1,1],[2,0]]
		"ijbc_face_tid_mid.txt":        "a.jpg 7 10\nb.jpg 7 11\nc.jpg 7 11\nd.jpg 3 20\ne.jpg 3 21\n",
		"ijbc_template_pair_label.txt": "7 3 1\n3 3 0\n7 7 1\n",
		"ijbc_name_5pts_score.txt": "a.jpg 1 2 3 4 5 6 7 8 9 10 1\nb.jpg 1 2 3 4 5 6 7 8 9 10 1\n" +
			"c.jpg 1 2 3 4 5 6 7 8 9 10 1\nd.jpg 1 2 3 4 5 6 7 8 9 10 1\ne.jpg 1 2 3 4 5 6 7 8 9 10 1\n",
	}
	for n, s := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestIJBFeatures(t *testing.T) {
	dir := t.TempDir()
	writeMeta(t, dir)
	// [orig | flip] halves summing to those features.
	feats := writeVerifyNpy(t, dir, "feats.npy", nd.Must(nd.FromFloat32([]float32{
		2, 4, 1, 0,
		1, 0, 0, 0,
		0, 1, 0, 1,
		1, 0, 0, 1,
		1, 0, 1, 0,
	}, 5, 4)))
	saved := filepath.Join(dir, "scores.npy")
	out, _, err := runCLI(t, "ijb", "--features", feats, "--meta-dir", dir, "--save-scores", saved)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "| feats-IJBC |") {
		t.Errorf("table:\n%s", out)
	}
	a, err := nd.ReadNpyFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	if s := a.Float64s(); len(s) != 3 || s[0] != 0.8030980282338017 || s[1] < 1-1e-15 || s[2] < 1-1e-15 {
		t.Errorf("scores %v, want [0.8030980282338017 1 1]", s)
	}
	// Score matrices are refused whether streamed (float32) or loaded.
	matrix32, matrix64 := filepath.Join(dir, "m32.npy"), filepath.Join(dir, "m64.npy")
	if err := nd.WriteNpyFile(matrix32, nd.Must(nd.FromFloat32(make([]float32, 6), 2, 3))); err != nil {
		t.Fatal(err)
	}
	if err := nd.WriteNpyFile(matrix64, nd.Must(nd.FromFloat64(make([]float64, 6), 3, 2))); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ijb"}, "either --features"},
		{[]string{"ijb", "--features", feats}, "needs --meta-dir"},
		{[]string{"ijb", "--features", feats, "--meta-dir", dir, "--target", "IJBB"}, "ijbb_face_tid_mid.txt"},
		{[]string{"ijb", "--features", feats, "--meta-dir", dir, "--no-flip", "--far", "0"}, "--far 0"},
		{[]string{"ijb", "--scores", saved}, "needs --labels or --meta-dir"},
		{[]string{"ijb", "--scores", saved, "--labels", filepath.Join(dir, "ijbc_face_tid_mid.txt")}, "not a pair label"},
		{[]string{"ijb", "--scores", matrix32, "--meta-dir", dir}, "scores have shape (2, 3), want (pairs,)"},
		{[]string{"ijb", "--scores", matrix64, "--meta-dir", dir}, "scores have shape (3, 2), want (pairs,)"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if _, _, err := runCLI(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
			}
		})
	}
	// A pair naming a template without images is an error, not template 0.
	os.WriteFile(filepath.Join(dir, "ijbc_template_pair_label.txt"), []byte("7 9 1\n"), 0o644)
	if _, _, err := runCLI(t, "ijb", "--features", feats, "--meta-dir", dir); err == nil || !strings.Contains(err.Error(), "template 9") {
		t.Errorf("unknown template: err = %v", err)
	}
	// Scores of a meta dir whose pairs are all genuine: no ROC.
	os.WriteFile(filepath.Join(dir, "ijbc_template_pair_label.txt"), []byte("7 3 1\n3 3 1\n7 7 1\n"), 0o644)
	if _, _, err := runCLI(t, "ijb", "--scores", saved, "--meta-dir", dir); err == nil || !strings.Contains(err.Error(), "0 impostor") {
		t.Errorf("one class: err = %v", err)
	}
	os.Remove(filepath.Join(dir, "ijbc_name_5pts_score.txt"))
	if _, _, err := runCLI(t, "ijb", "--features", feats, "--meta-dir", dir); err == nil || !strings.Contains(err.Error(), "--no-detector-score") {
		t.Errorf("missing landmarks: err = %v", err)
	}
}
