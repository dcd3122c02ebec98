package metric

import (
	"encoding/json"
	"testing"
)

// FuzzCreateConfig feeds arbitrary text to Create: it must never panic, and
// any metric it builds must give a config that builds the same config again.
func FuzzCreateConfig(f *testing.F) {
	for _, s := range []string{
		`{"axis": 0, "metric": "Accuracy", "name": "accuracy", "output_names": null, "label_names": null}`,
		`{"metric": "CompositeEvalMetric", "metrics": [{"metric": "F1", "average": "micro"}, {"metric": "acc"}]}`,
		`["top_k_acc", {"top_k": 5}]`,
		`{"metric": "Perplexity", "ignore_label": null, "axis": 0}`,
		`{"metric": "mae", "average": "sample", "output_names": ["a", "b"]}`,
		`acc`, `[`, `{"metric": {"metric": "acc"}}`, `{"metric": "pcc", "name": 3}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Create(s, nil)
		if err != nil {
			return
		}
		cfg, err := m.Config()
		if err != nil {
			return
		}
		b, err := json.Marshal(cfg)
		if err != nil {
			t.Fatalf("marshal config of %q: %v", s, err)
		}
		m2, err := Create(string(b), nil)
		if err != nil {
			t.Fatalf("config %s of %q does not build: %v", b, s, err)
		}
		cfg2, _ := m2.Config()
		b2, _ := json.Marshal(cfg2)
		if string(b2) != string(b) {
			t.Fatalf("round trip of %q: %s != %s", s, b2, b)
		}
		_ = Format(m2)
	})
}

// FuzzSetState feeds arbitrary state JSON to every kind of metric.
func FuzzSetState(f *testing.F) {
	f.Add("acc", `{"metric":"Accuracy","name":"accuracy","local":{"sum":1,"num":2},"global":{"sum":1,"num":2}}`)
	f.Add("pcc", `{"metric":"PCC","local":{"k":3,"matrix":[1,2,3,4,5,6,7,8,9],"calls":1}}`)
	f.Add("pcc", `{"metric":"PCC","local":{"k":100000,"matrix":[],"calls":1}}`)
	f.Add("f1", `{"metric":"F1","local":{"tp":1}}`)
	f.Add("mse", `{"metric":"MSE","local":{"sum":"Infinity","num":1},"global":{"sum":"NaN","num":"-Infinity"}}`)
	f.Add("pearsonr", `{"metric":"PearsonCorrelation","local":{"moments":{"n":2,"comoment":"NaN"},"calls":1}}`)
	f.Fuzz(func(t *testing.T, name, state string) {
		m, err := Create(name, Args{"average": "micro"})
		if err != nil {
			if m, err = Create(name, nil); err != nil {
				return
			}
		}
		var st State
		if json.Unmarshal([]byte(state), &st) != nil {
			return
		}
		if m.SetState(st) == nil {
			// Whatever was accepted exports again, losslessly.
			st2, err := m.State()
			if err != nil {
				t.Fatalf("State after SetState(%s): %v", state, err)
			}
			m2, _ := Create(m.Name(), nil)
			if c, err := m.Config(); err == nil {
				m2, _ = Create(c, nil)
			}
			if m2 != nil && m2.SetState(st2) == nil {
				_, a := m.GetGlobal()
				_, b := m2.GetGlobal()
				for i := range a {
					if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
						t.Fatalf("state %s: value %v after a round trip, %v before", state, b, a)
					}
				}
			}
		}
		_ = m.MergeState(st)
		_ = Format(m)
		_, _ = m.GetGlobal()
	})
}

// FuzzParseSpec feeds arbitrary command-line specs to ParseSpec: never a
// panic, and a metric it builds answers String.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"acc", "top_k_acc:top_k=5", "perplexity:ignore_label=None", `acc:output_names=["a","b"],name=x`,
		"f1:average=micro", "mae:average=sample", `["ce", {"eps": 1e-7}]`, "acc:axis", "x:=,=", `acc:name="unterminated`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseSpec(s)
		if err != nil {
			if len(err.Error()) > 2000 {
				t.Fatalf("a %d-byte spec gives a %d-byte error", len(s), len(err.Error()))
			}
			return
		}
		_ = Format(m)
	})
}
