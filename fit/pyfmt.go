package fit

import (
	"math"
	"strconv"
)

// AppendPyFloat appends v formatted as Python's "%.<prec>f" (prec ≥ 0) to
// dst: correctly rounded like Go's strconv, but with Python's spellings of
// the special values, "nan", "inf" and "-inf". Python's "%f" is prec 6.
func AppendPyFloat(dst []byte, v float64, prec int) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, "nan"...)
	case math.IsInf(v, 1):
		return append(dst, "inf"...)
	case math.IsInf(v, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, v, 'f', prec, 64)
}

// PyFloat returns v formatted as Python's "%.<prec>f" (see AppendPyFloat).
func PyFloat(v float64, prec int) string {
	var b [32]byte
	return string(AppendPyFloat(b[:0], v, prec))
}

// PyRepr returns Python 3's repr of a float: the shortest string that
// round-trips, with ".0" on integral values, exponent form when the decimal
// exponent is below -4 or at least 16 (two-digit signed exponent: "1e-05",
// "1e+16"), and "nan", "inf", "-inf". It is what Python's print and str
// show, e.g. 0.1*0.1 → "0.010000000000000002".
func PyRepr(v float64) string {
	var b [32]byte
	return string(AppendPyRepr(b[:0], v))
}

// AppendPyRepr appends PyRepr(v) to dst.
func AppendPyRepr(dst []byte, v float64) []byte {
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

// PyRound is Python 3's round(x) to an integer: halves go to the even
// neighbour (round(2.5) == 2).
func PyRound(x float64) float64 { return math.RoundToEven(x) }
