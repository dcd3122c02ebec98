package jsonnum

import (
	"encoding/json"
	"math"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    float64
		want string
	}{
		{"zero", 0, "0"},
		{"negative zero", math.Copysign(0, -1), "-0"},
		{"third", 1.0 / 3, "0.3333333333333333"},
		{"large", 1e300, "1e+300"},
		{"tiny", 5e-324, "5e-324"},
		{"nan", math.NaN(), `"NaN"`},
		{"inf", math.Inf(1), `"Infinity"`},
		{"-inf", math.Inf(-1), `"-Infinity"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(Float(tc.v))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("Marshal(%v) = %s, want %s", tc.v, b, tc.want)
			}
			var got Float
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if math.IsNaN(tc.v) != math.IsNaN(float64(got)) || (!math.IsNaN(tc.v) && math.Float64bits(float64(got)) != math.Float64bits(tc.v)) {
				t.Errorf("round trip of %v gave %v", tc.v, got)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{`"nan"`, `null`, `true`, `"1"`, ``, `Infinity`, `1e999`} {
		t.Run(in, func(t *testing.T) {
			if v, err := Parse([]byte(in)); err == nil {
				t.Errorf("Parse(%q) = %v, want an error", in, v)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "-0", `"NaN"`, `"Infinity"`, "1e-300", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse([]byte(s))
		if err != nil {
			return
		}
		w, err := Parse(Append(nil, v))
		if err != nil || (math.Float64bits(v) != math.Float64bits(w) && !(math.IsNaN(v) && math.IsNaN(w))) {
			t.Fatalf("%q → %v → %v (%v)", s, v, w, err)
		}
	})
}

func TestFloats(t *testing.T) {
	in := Floats{1, math.Inf(1), math.Copysign(0, -1), math.NaN(), -2.5}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[1,"Infinity",-0,"NaN",-2.5]`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var back Floats
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if math.Float64bits(in[i]) != math.Float64bits(back[i]) && !(math.IsNaN(in[i]) && math.IsNaN(back[i])) {
			t.Errorf("element %d: %v, want %v", i, back[i], in[i])
		}
	}
	if b, _ := json.Marshal(Floats(nil)); string(b) != "null" {
		t.Errorf("nil = %s", b)
	}
}
