package metric

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Factory builds a metric from constructor arguments. Every factory accepts
// "name", "output_names" and "label_names" besides its own arguments, and
// rejects unknown ones.
type Factory func(args Args) (Metric, error)

// Registry maps lower-cased names to factories, as MXNet's metric registry
// does, except that registering a name twice is an error (MXNet warns and
// replaces). Default holds the built-in metrics; the package-level Register,
// Alias, Create and ParseSpec use it. A Registry is safe for concurrent use.
type Registry struct {
	mu sync.RWMutex
	m  map[string]entry
}

// entry builds a metric; r is the registry creating it, so that a
// composite's children come from the same registry.
type entry func(r *Registry, args Args) (Metric, error)

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: map[string]entry{}} }

// Clone returns a new registry holding r's names, to extend without
// changing r (Default.Clone() gives the built-ins plus your own metrics).
func (r *Registry) Clone() *Registry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c := NewRegistry()
	for k, e := range r.m {
		c.m[k] = e
	}
	return c
}

// Default is the registry of the built-in metrics (and of everything
// registered through the package-level Register).
var Default = NewRegistry()

func registryKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Register makes a factory available to Create under name (lower-cased, as
// MXNet's registry does). A name already registered is an error.
func (r *Registry) Register(name string, f Factory) error {
	if f == nil {
		return fmt.Errorf("metric: Register(%q) needs a factory", name)
	}
	return r.register(name, func(_ *Registry, a Args) (Metric, error) { return f(a) })
}

func (r *Registry) register(name string, e entry) error {
	key := registryKey(name)
	if key == "" {
		return fmt.Errorf("metric: Register needs a name")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[key]; dup {
		return fmt.Errorf("metric: %q is already registered", key)
	}
	r.m[key] = e
	return nil
}

// MustRegister is Register for init-time use: it panics on error.
func (r *Registry) MustRegister(name string, f Factory) {
	if err := r.Register(name, f); err != nil {
		panic(err)
	}
}

// Alias registers more names for an already registered metric. It stops at
// the first alias that is already taken.
func (r *Registry) Alias(name string, aliases ...string) error {
	e, err := r.lookup(name)
	if err != nil {
		return err
	}
	for _, a := range aliases {
		if err := r.register(a, e); err != nil {
			return err
		}
	}
	return nil
}

// Names returns every registered name, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.m))
	for k := range r.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (r *Registry) lookup(name string) (entry, error) {
	key := registryKey(name)
	r.mu.RLock()
	e, ok := r.m[key]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("metric: %s is not registered (known: %s)", quoteShort(name), strings.Join(r.Names(), ", "))
	}
	return e, nil
}

// Register registers f under name in the Default registry.
func Register(name string, f Factory) error { return Default.Register(name, f) }

// MustRegister registers f under name in the Default registry, panicking on
// error (for init-time use).
func MustRegister(name string, f Factory) { Default.MustRegister(name, f) }

// Alias registers aliases of name in the Default registry.
func Alias(name string, aliases ...string) error { return Default.Alias(name, aliases...) }

// Names returns every name registered in the Default registry, sorted.
func Names() []string { return Default.Names() }
