package metric

import (
	"fmt"
	"strings"
)

// ParseSpec builds a metric from the command-line form evalkit score takes:
//   - a registry name: "acc";
//   - a name with arguments: "top_k_acc:top_k=5", "f1:average=micro",
//     "acc:output_names=[\"softmax\"]" — values are read as JSON when they
//     parse (numbers, true, null, lists) and as strings otherwise;
//   - a JSON config as Config returns it, or MXNet's ["name", {kwargs}].
func ParseSpec(s string) (Metric, error) { return Default.ParseSpec(s) }

// ParseSpec is the package-level ParseSpec with names looked up in r.
func (r *Registry) ParseSpec(s string) (Metric, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, fmt.Errorf("metric: empty metric spec")
	}
	if t[0] == '{' || t[0] == '[' {
		return r.Create(t, nil)
	}
	name, rest, hasArgs := strings.Cut(t, ":")
	args := Args{}
	if hasArgs {
		for _, kv := range splitTopLevel(rest) {
			if strings.TrimSpace(kv) == "" {
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			if !ok || strings.TrimSpace(k) == "" {
				return nil, fmt.Errorf("metric: spec %s: argument %s is not key=value", quoteShort(t), quoteShort(kv))
			}
			args[strings.TrimSpace(k)] = parseSpecValue(strings.TrimSpace(v))
		}
	}
	return r.Create(name, args)
}

// splitTopLevel splits at commas outside brackets and quotes.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func parseSpecValue(v string) any {
	switch v {
	case "None":
		return nil
	case "True":
		return true
	case "False":
		return false
	}
	if x, err := decodeValue([]byte(v)); err == nil {
		return x // numbers (int64 or float64), booleans, null, lists, objects
	}
	return strings.Trim(v, `'`)
}
