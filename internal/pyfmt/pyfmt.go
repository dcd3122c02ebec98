// Package pyfmt formats floats exactly as Python prints them, so that
// evalkit's log lines and metric strings match MXNet's byte for byte.
package pyfmt

import (
	"math"
	"strconv"
	"strings"
)

// special returns Python's spelling of NaN and the infinities.
func special(v float64) (string, bool) {
	switch {
	case math.IsNaN(v):
		return "nan", true
	case math.IsInf(v, 1):
		return "inf", true
	case math.IsInf(v, -1):
		return "-inf", true
	}
	return "", false
}

// Fixed formats v as Python's "%.<prec>f" does: correctly rounded, with
// "nan", "inf" and "-inf" for the special values.
func Fixed(v float64, prec int) string {
	if s, ok := special(v); ok {
		return s
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// F formats v as Python's "%f" (six decimals).
func F(v float64) string { return Fixed(v, 6) }

// Repr formats v as Python 3's repr(float): the shortest string that
// round-trips, ".0" on integral values, exponent form below 1e-4 and from
// 1e16 up with a signed two-digit exponent ("1e-05", "1e+16").
func Repr(v float64) string {
	if s, ok := special(v); ok {
		return s
	}
	if v == 0 {
		if math.Signbit(v) {
			return "-0.0"
		}
		return "0.0"
	}
	a := math.Abs(v)
	if a >= 1e16 || a < 1e-4 {
		s := strconv.FormatFloat(v, 'e', -1, 64) // e.g. 1e-05, 1.5e+16
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		digits := strings.TrimLeft(exp[1:], "0")
		if len(digits) < 2 {
			digits = strings.Repeat("0", 2-len(digits)) + digits
		}
		return mant + "e" + string(sign) + digits
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// RoundHalfEven is Python 3's round(): halves go to the even neighbour.
func RoundHalfEven(v float64) float64 { return math.RoundToEven(v) }
