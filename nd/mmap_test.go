package nd

import (
	"path/filepath"
	"testing"
)

func TestMapNpyFile(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name   string
		a      *Array
		mapped bool
	}{
		{"big32", Must(FromFloat32(make([]float32, 600*512), 600, 512)), true},
		{"big64", Must(FromFloat64(make([]float64, 300*512), 300, 512)), true},
		{"small", Must(FromFloat32([]float32{1, 2, 3})), false},
		{"ints", Must(FromInt64(make([]int64, 300*512))), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Distinct values so a wrong offset shows.
			for i := 0; i < c.a.Size(); i++ {
				switch c.a.DType() {
				case Float32:
					c.a.f32[i] = float32(i) * 0.5
				case Float64:
					c.a.f64[i] = float64(i) * 0.25
				default:
					c.a.i64[i] = int64(i)
				}
			}
			p := filepath.Join(dir, c.name+".npy")
			if err := WriteNpyFile(p, c.a); err != nil {
				t.Fatal(err)
			}
			got, release, err := MapNpyFile(p)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !SameShape(got, c.a) || got.DType() != c.a.DType() {
				t.Fatalf("%s: got %s, want %s", c.name, got, c.a)
			}
			for i := 0; i < c.a.Size(); i++ {
				if got.Float(i) != c.a.Float(i) {
					t.Fatalf("%s: element %d = %v, want %v", c.name, i, got.Float(i), c.a.Float(i))
				}
			}
			if err := release(); err != nil {
				t.Error(err)
			}
			if err := release(); err != nil {
				t.Errorf("second release: %v", err)
			}
		})
	}
	if _, _, err := MapNpyFile(filepath.Join(dir, "missing.npy")); err == nil {
		t.Error("missing file: want an error")
	}
}
