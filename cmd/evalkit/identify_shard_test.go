package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// sliceNpy writes rows [lo, hi) of the .npy at src to dir and returns the
// new file's path.
func sliceNpy(t *testing.T, dir, src string, lo, hi int) string {
	t.Helper()
	a, err := nd.ReadNpyFile(src)
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.Slice(lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, fmt.Sprintf("%s_%d_%d.npy", strings.TrimSuffix(filepath.Base(src), ".npy"), lo, hi))
	if err := nd.WriteNpyFile(p, s); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestIdentifyShardsMerge searches the library data (60 gallery rows, 1500
// distractors) in three shards, each saving its state, and checks that
// --merge reports exactly what one search over the whole prints, under
// each rule; and that a missing or a repeated shard is refused.
func TestIdentifyShardsMerge(t *testing.T) {
	dir := t.TempDir()
	gal, gid, distr := idata("lib_gallery32.npy"), idata("lib_gallery_ids.npy"), idata("lib_distractors.npy")
	probes := []string{"--probes", idata("lib_probes32.npy"), "--probe-ids", idata("lib_probe_ids.npy"), "--blas", "gonum"}
	shards := [][]string{
		{"--gallery", sliceNpy(t, dir, gal, 0, 25), "--gallery-ids", sliceNpy(t, dir, gid, 0, 25), "--gallery-total", "60",
			"--distractors", sliceNpy(t, dir, distr, 0, 700), "--distractor-total", "1500"},
		{"--gallery", sliceNpy(t, dir, gal, 25, 60), "--gallery-ids", sliceNpy(t, dir, gid, 25, 60), "--gallery-offset", "25", "--gallery-total", "60",
			"--distractor-total", "1500"},
		{"--gallery-total", "60", "--distractors", sliceNpy(t, dir, distr, 700, 1500), "--distractor-offset", "700", "--distractor-total", "1500"},
	}
	for _, rule := range []string{"nist", "ijb_1n"} {
		t.Run(rule, func(t *testing.T) {
			flags := []string{"--rule", rule}
			whole, _, err := runCLI(t, append(append(append([]string{"identify", "--gallery", gal, "--gallery-ids", gid, "--distractors", distr}, probes...), flags...), "--save-state", filepath.Join(dir, rule+"whole.json"))...)
			if err != nil {
				t.Fatal(err)
			}
			var merge []string
			for i, sh := range shards {
				st := filepath.Join(dir, fmt.Sprintf("%s%d.json", rule, i))
				out, _, err := runCLI(t, append(append(append([]string{"identify"}, sh...), probes...), append(flags, "--save-state", st)...)...)
				if err != nil {
					t.Fatalf("shard %d: %v", i, err)
				}
				if !strings.Contains(out, "a shard; report the whole with evalkit identify --merge") {
					t.Errorf("shard %d printed:\n%s", i, out)
				}
				merge = append(merge, "--merge", st)
			}
			merged, _, err := runCLI(t, append(append([]string{"identify"}, merge...), flags...)...)
			if err != nil {
				t.Fatal(err)
			}
			if rule == "nist" {
				// the first line says how the result came: a search or a merge
				first, rest, _ := strings.Cut(merged, "\n")
				if first != "merged 3 search states: 400 probes × 60 gallery + 1500 distractors, 32-d" {
					t.Errorf("first line %q", first)
				}
				_, wantRest, _ := strings.Cut(whole, "\n")
				if rest != wantRest {
					t.Errorf("merged report:\n%s\nwant (one search):\n%s", rest, wantRest)
				}
				// the golden values of the whole search (gen_identify.py)
				if !strings.Contains(rest, "       1000  0.087500\n") {
					t.Errorf("merged report lacks the golden rank-1 at 1000 distractors:\n%s", rest)
				}
			} else if merged != whole {
				t.Errorf("merged %s lines:\n%s\nwant:\n%s", rule, merged, whole)
			}
		})
	}
	st := func(i int) string { return filepath.Join(dir, fmt.Sprintf("nist%d.json", i)) }
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--merge", st(0), "--merge", st(1)}, "searched 60 of 60 gallery rows and 700 of 1500 distractors: a shard is missing"},
		{[]string{"--merge", st(1), "--merge", st(2), "--merge", st(2)}, "35 of 60 gallery rows and 1600 of 1500 distractors: a shard is missing, or shards overlap"},
		{[]string{"--merge", st(0), "--probes", idata("lib_probes32.npy")}, "--merge reads saved states only"},
		{[]string{"--merge", st(0), "--merge", st(1), "--merge", st(2), "--rank", "50"}, "the states keep 20 candidates"},
		{[]string{"--merge", filepath.Join(dir, "none.json")}, "none.json"},
		{append(append([]string{}, shards[0]...), probes...), "needs --save-state"},
		{append(append([]string{"--save-state", st(9), "--gallery-offset", "50", "--gallery-total", "60"}, shards[1][:4]...), probes...), "gallery rows 50…84 do not lie within the 60"},
		{append([]string{"--save-state", st(9), "--distractor-total", "5"}, probes...), "--gallery is required, or --gallery-total"},
	} {
		t.Run(c.want, func(t *testing.T) {
			if _, _, err := runCLI(t, append([]string{"identify"}, c.args...)...); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: error %v, want %q", c.args, err, c.want)
			}
		})
	}
}
