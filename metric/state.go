package metric

import (
	"encoding/json"
	"fmt"
)

// encodeTwin exports a metric's local and global statistics of type T.
func encodeTwin[T any](b *Base, local, global T) State {
	st := State{Metric: b.kind, Name: b.name}
	st.Local, _ = json.Marshal(local)
	st.Global, _ = json.Marshal(global)
	return st
}

// decodeTwin reads the local and global statistics of a state exported by
// a metric of b's kind; a missing side decodes as T's zero value.
func decodeTwin[T any](b *Base, st State) (local, global T, err error) {
	if st.Metric != b.kind {
		return local, global, fmt.Errorf("metric %s: state is of a %s metric, want %s", b.name, st.Metric, b.kind)
	}
	for _, side := range []struct {
		name string
		raw  json.RawMessage
		dst  *T
	}{{"local", st.Local, &local}, {"global", st.Global, &global}} {
		if len(side.raw) == 0 {
			continue
		}
		if err := json.Unmarshal(side.raw, side.dst); err != nil {
			return local, global, fmt.Errorf("metric %s: %s state: %w", b.name, side.name, err)
		}
	}
	return local, global, nil
}
