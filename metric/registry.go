package metric

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
)

// Factory builds a metric from constructor arguments. Every factory accepts
// "name", "output_names" and "label_names" besides its own arguments, and
// rejects unknown ones.
type Factory func(args Args) (Metric, error)

var registry = struct {
	sync.RWMutex
	m map[string]Factory
}{m: map[string]Factory{}}

// Register makes a factory available to Create under name (lower-cased, as
// MXNet's registry does). Registering a name again replaces the factory and
// logs a warning, as MXNet warns.
func Register(name string, f Factory) error {
	key := strings.ToLower(strings.TrimSpace(name))
	if key == "" {
		return fmt.Errorf("metric: Register needs a name")
	}
	if f == nil {
		return fmt.Errorf("metric: Register(%q) needs a factory", name)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.m[key]; dup {
		slog.Warn("metric: new metric overrides an existing one", "name", key)
	}
	registry.m[key] = f
	return nil
}

// MustRegister is Register for init-time use: it panics on error.
func MustRegister(name string, f Factory) {
	if err := Register(name, f); err != nil {
		panic(err)
	}
}

// Alias registers more names for an already registered metric.
func Alias(name string, aliases ...string) error {
	f, err := lookup(name)
	if err != nil {
		return err
	}
	for _, a := range aliases {
		if err := Register(a, f); err != nil {
			return err
		}
	}
	return nil
}

// Names returns every registered name, sorted.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]string, 0, len(registry.m))
	for k := range registry.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func lookup(name string) (Factory, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	registry.RLock()
	f, ok := registry.m[key]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("metric: %q is not registered (known: %s)", name, strings.Join(Names(), ", "))
	}
	return f, nil
}
