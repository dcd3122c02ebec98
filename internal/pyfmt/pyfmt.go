// Package pyfmt formats floats exactly as Python prints them, so that
// evalkit's log lines and metric strings match MXNet's byte for byte.
package pyfmt

import (
	"math"
	"strconv"
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
	var b [32]byte
	return string(AppendFixed(b[:0], v, prec))
}

// AppendFixed appends Fixed(v, prec) to dst without allocating.
func AppendFixed(dst []byte, v float64, prec int) []byte {
	if s, ok := special(v); ok {
		return append(dst, s...)
	}
	return strconv.AppendFloat(dst, v, 'f', prec, 64)
}

// F formats v as Python's "%f" (six decimals).
func F(v float64) string { return Fixed(v, 6) }

// Repr formats v as Python 3's repr(float): the shortest string that
// round-trips, ".0" on integral values, exponent form below 1e-4 and from
// 1e16 up with a signed two-digit exponent ("1e-05", "1e+16").
func Repr(v float64) string {
	var b [32]byte
	return string(AppendRepr(b[:0], v))
}

// AppendRepr appends Repr(v) to dst without allocating.
func AppendRepr(dst []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, "nan"...)
	case math.IsInf(v, 1):
		return append(dst, "inf"...)
	case math.IsInf(v, -1):
		return append(dst, "-inf"...)
	}
	// Shortest round-trip digits and decimal exponent.
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], v, 'e', -1, 64) // e.g. -1.2345e-05
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	// Split mantissa digits and exponent.
	var dbuf [24]byte
	digits := dbuf[:0]
	i := 0
	for ; i < len(e) && e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits = append(digits, e[i])
		}
	}
	exp, _ := strconv.Atoi(string(e[i+1:]))
	// Python repr: repr uses 'r' format: scientific if exp < -4 or exp >= 16.
	if neg {
		dst = append(dst, '-')
	}
	if exp < -4 || exp >= 16 {
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for k := 0; k < -exp-1; k++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	// exp >= 0: integer part has exp+1 digits.
	if len(digits) <= exp+1 {
		dst = append(dst, digits...)
		for k := len(digits); k < exp+1; k++ {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	}
	dst = append(dst, digits[:exp+1]...)
	dst = append(dst, '.')
	return append(dst, digits[exp+1:]...)
}

// RoundHalfEven is Python 3's round(): halves go to the even neighbour.
func RoundHalfEven(v float64) float64 { return math.RoundToEven(v) }
