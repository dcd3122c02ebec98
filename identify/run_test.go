package identify

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// runInput: probe 0 = (1, 0) of identity 1 (enrolled), probe 1 = (0, 1) of
// identity 9 (not enrolled); gallery (1, 0) of 1 and (0.6, 0.8) of 2 in
// float64; one distractor (0, 1). Scores: probe 0: 1, 0.6 | 0; probe 1:
// 0, 0.8 | 1.
func runInput(t *testing.T) SearchInput {
	t.Helper()
	p, err := Float32Matrix([]float32{1, 0, 0, 1}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Float64Matrix([]float64{1, 0, 0.6, 0.8}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Float32Matrix([]float32{0, 1}, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	return SearchInput{Probes: p, ProbeIDs: []int64{1, 9}, Gallery: g, GalleryIDs: []int64{1, 2}, Distractors: d}
}

func TestRunSearch(t *testing.T) {
	var last, total int64
	calls := 0
	opts := SearchOptions{Threads: 1, Progress: func(done, tot int64) {
		if done < last {
			t.Errorf("progress went back from %d to %d", last, done)
		}
		last, total = done, tot
		calls++
	}}
	run, err := RunSearch(runInput(t), Config{K: 2, Checkpoints: DistractorCheckpoints(1)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if run.Probes != 2 || run.Gallery != 2 || run.Distractors != 1 || run.Dim != 2 || run.Precision != "float64" || run.Backend == nil {
		t.Errorf("run %+v: want 2 probes, 2 gallery, 1 distractor, 2-d, float64 (promoted), a backend", run)
	}
	if calls == 0 || last != 6 || total != 6 {
		t.Errorf("progress: %d calls, last %d of %d; want 6 of 6 (2 probes × 3 rows)", calls, last, total)
	}
	if gs := run.State.Config().GallerySize; gs != 2 {
		t.Errorf("GallerySize %d, want 2", gs)
	}
	var b strings.Builder
	if err := run.State.WriteCandidates(&b); err != nil {
		t.Fatal(err)
	}
	want := `{"probe":0,"id":1,"mate_rank":1,"mate":[0,1],"candidates":[[0,1],[1,0.6]]}` + "\n" +
		`{"probe":1,"id":9,"mate_rank":0,"mate":null,"candidates":[[2,1],[1,0.8]]}` + "\n"
	if b.String() != want {
		t.Errorf("candidates\n%s\nwant\n%s", b.String(), want)
	}
	if d := run.Describe(); !strings.HasPrefix(d, "searched 2 probes × 2 gallery + 1 distractors, 2-d float64, ") {
		t.Errorf("Describe() = %q", d)
	}
}

func TestRunNIST(t *testing.T) {
	run, err := RunSearch(runInput(t), Config{K: 2, Checkpoints: DistractorCheckpoints(1)}, SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.NIST([]int{1, 2}, []float64{0.5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mated != 1 || len(res.CMC) != 2 || res.CMC[0].Rate != 1 || res.CMC[0].Hits != 1 {
		t.Errorf("CMC %+v over %d mated, want rank 1 at 1 (1 hit) over 1", res.CMC, res.Mated)
	}
	if res.OpenSet == nil || res.OpenSet.Mated != 1 || res.OpenSet.NonMated != 1 {
		t.Errorf("open set %+v, want 1 mated and 1 non-mated search", res.OpenSet)
	}
	// Probe 0's mate (score 1) stays first with the distractor (score 0).
	if len(res.Rank1) != 2 || res.Rank1[0].Rank1 != 1 || res.Rank1[1].Distractors != 1 || res.Rank1[1].Rank1 != 1 {
		t.Errorf("rank-1 by distractors %+v, want 1 with 0 and with 1 distractor", res.Rank1)
	}
	var b strings.Builder
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"\nclosed-set CMC over 1 mated searches (of 2 probes)\n  rank  identification rate\n     1  1.000000  (1)\n     2  1.000000  (1)\n",
		"\nopen-set, NIST: 1 mated and 1 non-mated searches",
		"\nrank-1 as distractors join the gallery (MegaFace)\n  distractors  rank-1\n            0  1.000000\n            1  1.000000\n",
	} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("text lacks %q:\n%s", line, b.String())
		}
	}
}

func TestRunSearchErrors(t *testing.T) {
	in := runInput(t)
	in.Distractors, _ = Float32Matrix([]float32{0, 1, 0}, 1, 3)
	if _, err := RunSearch(in, Config{K: 1}, SearchOptions{}); err == nil || !strings.Contains(err.Error(), "distractors have dimension 3, probes 2") {
		t.Errorf("3-d distractors: %v", err)
	}
	in = runInput(t)
	in.ProbeIDs = in.ProbeIDs[:1]
	if _, err := RunSearch(in, Config{K: 1}, SearchOptions{}); err == nil {
		t.Error("1 identity for 2 probes: no error")
	}
}

func TestDistractorCheckpoints(t *testing.T) {
	for _, c := range []struct {
		n    int
		want []int64
	}{{0, nil}, {5, []int64{5}}, {10, []int64{10}}, {150, []int64{10, 100, 150}}, {2000000, []int64{10, 100, 1000, 10000, 100000, 1000000, 2000000}}} {
		t.Run(fmt.Sprint(c.n), func(t *testing.T) {
			if got := DistractorCheckpoints(c.n); !slices.Equal(got, c.want) {
				t.Errorf("n=%d: %v, want %v", c.n, got, c.want)
			}
		})
	}
}

// An open-set threshold of -Inf (every score passes) follows the project's
// one JSON rule (docs/formats.md): "-Infinity", not null.
func TestOpenSetPointJSON(t *testing.T) {
	b, err := json.Marshal(OpenSetPoint{TargetFPIR: 1, Threshold: math.Inf(-1), FPIR: 1, TPIR: 0.5, FNIR: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"target_fpir":1,"fpir":1,"tpir":0.5,"fnir":0.5,"threshold":"-Infinity"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
