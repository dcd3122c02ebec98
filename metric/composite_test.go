package metric

import (
	"encoding/json"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

// TestCompositeUpdateAtomic: when a later child refuses a batch, the
// children before it do not count it (local, global and every kind of
// statistics, nested composites included).
func TestCompositeUpdateAtomic(t *testing.T) {
	type batch func() ([]*nd.Array, []*nd.Array)
	var good batch = func() ([]*nd.Array, []*nd.Array) {
		return list(vec(t, 0, 1, 1)), list(f32(t, [][]float32{{0.7, 0.3}, {0.4, 0.6}, {0.8, 0.2}}))
	}
	// label 2 of a 2-class prediction: accuracy, F1 and PCC count it,
	// cross-entropy refuses it (index out of range).
	var bad batch = func() ([]*nd.Array, []*nd.Array) {
		return list(vec(t, 0, 1, 2)), list(f32(t, [][]float32{{0.7, 0.3}, {0.4, 0.6}, {0.8, 0.2}}))
	}
	// Pearson needs equal shapes; PCC reads such predictions as classes
	// and refuses a class below -K.
	var goodSame batch = func() ([]*nd.Array, []*nd.Array) {
		return list(f32(t, [][]float32{{0, 1}, {1, 0}})), list(f32(t, [][]float32{{0, 1}, {1, 1}}))
	}
	var badSame batch = func() ([]*nd.Array, []*nd.Array) {
		return list(f32(t, [][]float32{{0, 1}, {1, 0}})), list(f32(t, [][]float32{{0, 1}, {1, -5}}))
	}
	for _, tc := range []struct {
		name      string
		children  []any
		good, bad batch
	}{
		{"acc then ce", []any{"acc", "ce"}, good, bad},
		{"pcc, f1 micro, acc then ce", []any{"pcc", map[string]any{"metric": "f1", "average": "micro"}, "acc", "ce"}, good, bad},
		{"nested composite then ce", []any{[]any{"acc", "pcc"}, "ce"}, good, bad},
		{"pearsonr micro then pcc", []any{map[string]any{"metric": "pearsonr", "average": "micro"}, "pcc"}, goodSame, badSame},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCreate(t, tc.children, nil)
			good, bad := tc.good, tc.bad
			l, p := good()
			update(t, c, l, p)
			c.ResetLocal()
			update(t, c, l, p)
			before, err := c.State()
			if err != nil {
				t.Fatal(err)
			}
			l, p = bad()
			if err := c.Update(l, p); err == nil {
				t.Fatal("the bad batch was accepted")
			}
			after, err := c.State()
			if err != nil {
				t.Fatal(err)
			}
			b1, _ := json.Marshal(before)
			b2, _ := json.Marshal(after)
			if string(b1) != string(b2) {
				t.Errorf("a refused batch changed the state:\nbefore %s\nafter  %s", b1, b2)
			}
			// Named dicts go through the same path.
			if err := c.UpdateDict(Named{Names: []string{"l"}, Arrays: l}, Named{Names: []string{"p"}, Arrays: p}); err == nil {
				t.Fatal("UpdateDict accepted the bad batch")
			}
			b3, _ := c.State()
			if b, _ := json.Marshal(b3); string(b) != string(b1) {
				t.Errorf("a refused UpdateDict changed the state:\nbefore %s\nafter  %s", b1, b)
			}
		})
	}
}

// TestCompositeUpdateAllocs: the rollback costs no allocation per batch.
func TestCompositeUpdateAllocs(t *testing.T) {
	c := mustCreate(t, []any{"acc", "ce", "pcc"}, nil)
	l, p := list(vec(t, 0, 1, 1)), list(f32(t, [][]float32{{0.7, 0.3}, {0.4, 0.6}, {0.8, 0.2}}))
	update(t, c, l, p)
	if n := testing.AllocsPerRun(100, func() { _ = c.Update(l, p) }); n > 1 {
		// PCC's own update allocates its cell list; the composite adds nothing.
		pcc := mustCreate(t, "pcc", nil)
		own := testing.AllocsPerRun(100, func() { _ = pcc.Update(l, p) })
		if n > own {
			t.Errorf("composite update: %v allocations, PCC alone %v", n, own)
		}
	}
}

// TestCompositeNestedGrows: a child added to a nested composite after the
// outer one made its snapshots is restored too.
func TestCompositeNestedGrows(t *testing.T) {
	inner := NewComposite(Options{}, mustCreate(t, "acc", nil))
	outer := NewComposite(Options{}, inner, mustCreate(t, "ce", nil))
	l, p := list(vec(t, 0, 1)), list(f32(t, [][]float32{{0.7, 0.3}, {0.4, 0.6}}))
	update(t, outer, l, p)
	inner.Add(mustCreate(t, "pcc", nil))
	update(t, outer, l, p)
	before, _ := outer.State()
	if err := outer.Update(list(vec(t, 0, 2)), p); err == nil {
		t.Fatal("cross-entropy accepted label 2 of 2 classes")
	}
	after, _ := outer.State()
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(after)
	if string(b1) != string(b2) {
		t.Errorf("a refused batch changed the state:\nbefore %s\nafter  %s", b1, b2)
	}
	// PCC's own update allocates its cell list; the composites add nothing.
	pcc := mustCreate(t, "pcc", nil)
	own := testing.AllocsPerRun(50, func() { _ = pcc.Update(l, p) })
	if n := testing.AllocsPerRun(50, func() { _ = outer.Update(l, p) }); n > own {
		t.Errorf("nested update: %v allocations per batch, PCC alone %v", n, own)
	}
}
