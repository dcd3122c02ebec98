package main

import (
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// A non-finite threshold in --json output follows the project's one rule
// (docs/formats.md): the string "Infinity", not null. With an impostor
// scoring highest, FAR 1e-6 is read at the ROC's "accept nothing" point,
// whose threshold is +Inf.
func TestIJBJSONInfiniteThreshold(t *testing.T) {
	dir := t.TempDir()
	scores := writeVerifyNpy(t, dir, "s.npy", nd.Must(nd.FromFloat64([]float64{0.9, 0.7, 0.6, 0.1})))
	labels := writeVerifyNpy(t, dir, "l.npy", nd.Must(nd.FromInts(nd.Bool, []int64{0, 1, 0, 1})))
	out, _, err := runCLI(t, "ijb", "--scores", scores, "--labels", labels, "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"threshold": "Infinity"`) || strings.Contains(out, "null") {
		t.Errorf("want \"threshold\": \"Infinity\" and no null:\n%s", out)
	}
}
