package metric

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// nonFiniteBatches returns update calls whose statistics become NaN or
// infinite: a constant batch (Pearson r of zero variance is NaN), +Inf and
// -Inf predictions, a NaN prediction, around ordinary batches.
func nonFiniteBatches(t *testing.T) [][2]*nd.Array {
	t.Helper()
	ordinary := func(k float32) [2]*nd.Array {
		return [2]*nd.Array{vec(t, 1, 2, 3, 4), vec(t, 1.5*k, 2.25, 2.5*k, 4.5)}
	}
	inf := float32(math.Inf(1))
	return [][2]*nd.Array{
		ordinary(1),
		{vec(t, 1, 2, 3, 4), vec(t, 7, 7, 7, 7)}, // constant predictions
		ordinary(2),
		{vec(t, 1, 2, 3, 4), vec(t, 1, inf, 3, 4)},
		ordinary(3),
		{vec(t, 1, 2, 3, 4), vec(t, -inf, 2, 3, 4)},
		{vec(t, 1, 2, 3, 4), vec(t, float32(math.NaN()), 2, 3, 4)},
		ordinary(4),
	}
}

// TestMergeNonFinite: shards whose statistics hold NaN or ±Inf, exported
// as JSON and merged, equal one sequential pass (MXNet's one-pass values).
func TestMergeNonFinite(t *testing.T) {
	batches := nonFiniteBatches(t)
	for _, tc := range []struct {
		name string
		args Args
		upto int // the first upto batches
		want float64
	}{
		{"pearsonr", nil, 3, math.NaN()},
		{"pearsonr", Args{"average": "micro"}, 4, math.NaN()},
		{"mse", nil, 4, math.Inf(1)},
		{"mse", Args{"average": "sample"}, 4, math.Inf(1)},
		{"mae", nil, 6, math.Inf(1)}, // |±Inf − x| = +Inf
		{"mae", nil, 7, math.NaN()},
		{"rmse", nil, 8, math.NaN()},
	} {
		t.Run(tc.name+argSuffix(tc.args), func(t *testing.T) {
			seq := mustCreate(t, tc.name, tc.args)
			for _, b := range batches[:tc.upto] {
				update(t, seq, list(b[0]), list(b[1]))
			}
			if got := globalValue(seq); !sameFloat(got, tc.want) {
				t.Fatalf("one pass: %v, want %v", got, tc.want)
			}
			for split := 1; split < tc.upto; split++ {
				a, b := mustCreate(t, tc.name, tc.args), mustCreate(t, tc.name, tc.args)
				for i, x := range batches[:tc.upto] {
					m := a
					if i >= split {
						m = b
					}
					update(t, m, list(x[0]), list(x[1]))
				}
				st, err := b.State()
				if err != nil {
					t.Fatalf("split %d: State: %v", split, err)
				}
				js, err := json.Marshal(st)
				if err != nil {
					t.Fatalf("split %d: marshal: %v", split, err)
				}
				var back State
				if err := json.Unmarshal(js, &back); err != nil {
					t.Fatalf("split %d: unmarshal %s: %v", split, js, err)
				}
				if err := a.MergeState(back); err != nil {
					t.Fatalf("split %d: MergeState(%s): %v", split, js, err)
				}
				for _, get := range []func(Metric) float64{value, globalValue} {
					if got, want := get(a), get(seq); !sameFloat(got, want) {
						t.Errorf("split %d: merged %v, one pass %v (state %s)", split, got, want, js)
					}
				}
				// SetState restores the same values.
				c := mustCreate(t, tc.name, tc.args)
				if err := c.SetState(back); err != nil {
					t.Fatalf("split %d: SetState: %v", split, err)
				}
				if got, want := globalValue(c), globalValue(b); !sameFloat(got, want) {
					t.Errorf("split %d: restored %v, exported %v", split, got, want)
				}
			}
		})
	}
}

// TestStateNonFiniteJSON pins the encoding of non-finite statistics.
func TestStateNonFiniteJSON(t *testing.T) {
	m := mustCreate(t, "mse", nil)
	update(t, m, list(vec(t, 1, 2)), list(vec(t, 1, float32(math.Inf(1)))))
	st, err := m.State()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(st.Local), `{"sum":"Infinity","num":1}`; got != want {
		t.Errorf("local state %s, want %s", got, want)
	}
	var bad State
	bad.Metric, bad.Local = "MSE", json.RawMessage(`{"sum":"inf","num":1}`)
	if err := m.SetState(bad); err == nil || !strings.Contains(err.Error(), "Infinity") {
		t.Errorf("SetState of a misspelt infinity: %v", err)
	}
}

func sameFloat(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

func argSuffix(a Args) string {
	if v, ok := a["average"]; ok {
		return "/" + v.(string)
	}
	return ""
}
