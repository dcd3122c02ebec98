package metric

import (
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	for spec, want := range map[string]string{
		"acc":                                   "accuracy",
		"top_k_acc:top_k=5":                     "top_k_accuracy_5",
		"perplexity:ignore_label=-1":            "perplexity",
		"perplexity:ignore_label=None":          "perplexity",
		"f1:average=micro":                      "f1",
		`acc:output_names=["a","b"],name=mine`:  "mine",
		`{"metric": "mcc", "average": "micro"}`: "mcc",
		`["ce", {"eps": 1e-7}]`:                 "cross-entropy",
	} {
		m, err := ParseSpec(spec)
		if err != nil {
			t.Errorf("ParseSpec(%q): %v", spec, err)
			continue
		}
		if m.Name() != want {
			t.Errorf("ParseSpec(%q).Name() = %q, want %q", spec, m.Name(), want)
		}
	}
	m, _ := ParseSpec(`acc:output_names=["a","b"],name=mine`)
	if cfg, _ := m.Config(); strings.Join(cfg.OutputNames, ",") != "a,b" {
		t.Errorf("output_names = %v", cfg.OutputNames)
	}
	for spec, want := range map[string]string{
		"":                  "empty",
		"acc:axis":          "not key=value",
		"top_k_acc:top_k=x": "top_k must be an integer",
		"nope:x=1":          "not registered",
	} {
		if _, err := ParseSpec(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSpec(%q) error = %v, want %q", spec, err, want)
		}
	}
}
