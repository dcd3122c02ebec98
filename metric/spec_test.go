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
		t.Run(spec, func(t *testing.T) {
			m, err := ParseSpec(spec)
			if err != nil {
				t.Fatalf("ParseSpec(%q): %v", spec, err)
			}
			if m.Name() != want {
				t.Errorf("ParseSpec(%q).Name() = %q, want %q", spec, m.Name(), want)
			}
		})
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
		t.Run("error "+spec, func(t *testing.T) {
			if _, err := ParseSpec(spec); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("ParseSpec(%q) error = %v, want %q", spec, err, want)
			}
		})
	}
}

// TestParseSpecHugeError: a huge spec is not echoed whole in its error.
func TestParseSpecHugeError(t *testing.T) {
	huge := strings.Repeat("模x", 200000)
	for _, tc := range []struct{ name, spec, want string }{
		{"name", huge, "not registered"},
		{"argument without value", "acc:" + huge, "not key=value"},
		{"bad value", "top_k_acc:top_k=" + huge, "must be an integer"},
		{"unknown argument", "acc:" + huge + "=1", "unexpected argument"},
		{"JSON list", `["` + huge + `"]`, "not registered"},
		{"JSON object key", `{"metric": "acc", "` + huge + `": 1}`, "unexpected argument"},
		{"JSON list garbage", `[` + huge, "JSON list spec"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpec(tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %.200v, want %q", err, tc.want)
			}
			if len(err.Error()) > 1000 {
				t.Errorf("error is %d bytes long: %.300s...", len(err.Error()), err)
			}
		})
	}
}
