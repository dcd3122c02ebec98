package report

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/metric"
)

func TestHistory(t *testing.T) {
	var h History
	nv := func(acc, loss float64) []metric.NameValue {
		return []metric.NameValue{{Name: "acc", Value: acc}, {Name: "lossvalue", Value: loss}}
	}
	for _, e := range []events.Event{
		events.BatchEnd{Position: events.Position{Step: 1}, Values: nv(9, 9)}, // not a curve point
		events.Speed{Position: events.Position{Step: 21}, Values: nv(0.5, math.Inf(1))},
		events.Speed{Position: events.Position{Step: 41}, Values: nv(0.75, 2)},
		events.Validation{Position: events.Position{Step: 78}, Values: nv(0.8, math.NaN())},
		events.Verification{Position: events.Position{Step: 40}, Target: "lfw", Accuracy: 0.9},
	} {
		if err := h.Emit(e); err != nil {
			t.Fatal(err)
		}
	}
	eq := cmpopts.EquateNaNs()
	if d := cmp.Diff(Series{Name: "acc", X: []float64{21, 41}, Y: []float64{0.5, 0.75}}, h.Train("acc"), eq); d != "" {
		t.Error(d)
	}
	if d := cmp.Diff(Series{Name: "lossvalue", X: []float64{78}, Y: []float64{math.NaN()}}, h.Validation("lossvalue"), eq); d != "" {
		t.Error(d)
	}
	if d := cmp.Diff([]string{"lfw"}, h.Targets()); d != "" {
		t.Error(d)
	}
	raw, err := h.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"y":[0.5,0.75]`) || !strings.Contains(string(raw), `"y":["Infinity",2]`) || !strings.Contains(string(raw), `"y":["NaN"]`) {
		t.Errorf("state %s", raw)
	}
	var back History
	if err := back.RestoreState(raw); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"acc", "lossvalue"} {
		if d := cmp.Diff(h.Train(name), back.Train(name), eq); d != "" {
			t.Error(d)
		}
		if d := cmp.Diff(h.Validation(name), back.Validation(name), eq); d != "" {
			t.Error(d)
		}
	}
	if back.Last("acc") != 0.8 || !math.IsNaN(back.Last("none")) {
		t.Errorf("Last: %v, %v", back.Last("acc"), back.Last("none"))
	}
	for _, bad := range []string{`{"train":{"acc":{"x":[1],"y":[]}}}`, `{"train":{"acc":{"x":[1],"y":["nope"]}}}`, `[`} {
		if err := back.RestoreState([]byte(bad)); err == nil {
			t.Errorf("%s restored", bad)
		}
	}
}

func FuzzHistoryState(f *testing.F) {
	f.Add([]byte(`{"train":{"acc":{"x":[1,2],"y":["nan",0.5]}}}`))
	f.Add([]byte(`{"verification":{"lfw":{"x":[1],"y":[1e308]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var h History
		if err := h.RestoreState(b); err != nil {
			return
		}
		raw, err := h.MarshalState()
		if err != nil {
			t.Fatal(err)
		}
		var back History
		if err := back.RestoreState(raw); err != nil {
			t.Fatalf("re-reading %s: %v", raw, err)
		}
	})
}
