package pyfmt

import (
	"math"
	"testing"
)

func TestRepr(t *testing.T) {
	// Expected strings are what CPython 3 prints for repr(x).
	cases := []struct {
		v    float64
		want string
	}{
		{2.0 / 3.0, "0.6666666666666666"},
		{0.8, "0.8"},
		{1, "1.0"},
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1e-5, "1e-05"},
		{1.5e-7, "1.5e-07"},
		{0.0001, "0.0001"},
		{1e16, "1e+16"},
		{1.2345e20, "1.2345e+20"},
		{123456789012345.0, "123456789012345.0"},
		{1e100, "1e+100"},
		{-2.5, "-2.5"},
		{math.NaN(), "nan"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{0.8000000000000002, "0.8000000000000002"},
		{1e15, "1000000000000000.0"},
		{9999999999999998, "9999999999999998.0"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			if got := Repr(c.v); got != c.want {
				t.Errorf("Repr(%v) = %q, want %q", c.v, got, c.want)
			}
		})
	}
}

func TestFixed(t *testing.T) {
	cases := []struct {
		v    float64
		prec int
		want string
	}{
		{0.625, 6, "0.625000"},
		{4.0 / 7.0, 6, "0.571429"},
		{2, 2, "2.00"},
		{7, 3, "7.000"},
		{math.NaN(), 6, "nan"},
		{math.Inf(1), 2, "inf"},
		{math.Inf(-1), 6, "-inf"},
		{0.125, 2, "0.12"}, // exact binary half: Python rounds to even
		{0.375, 2, "0.38"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			if got := Fixed(c.v, c.prec); got != c.want {
				t.Errorf("Fixed(%v, %d) = %q, want %q", c.v, c.prec, got, c.want)
			}
		})
	}
	if F(1.0/3) != "0.333333" {
		t.Errorf("F(1/3) = %q", F(1.0/3))
	}
}

func TestRoundHalfEven(t *testing.T) {
	for v, want := range map[float64]float64{0.5: 0, 1.5: 2, 2.5: 2, 40.5: 40, 41.5: 42, 2.6: 3} {
		t.Run(Repr(v), func(t *testing.T) {
			if got := RoundHalfEven(v); got != want {
				t.Errorf("RoundHalfEven(%v) = %v, want %v", v, got, want)
			}
		})
	}
}
