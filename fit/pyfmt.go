package fit

import "github.com/evalkit/evalkit/internal/pyfmt"

// AppendPyFloat appends v formatted as Python's "%.<prec>f" (prec ≥ 0) to
// dst: correctly rounded like Go's strconv, but with Python's spellings of
// the special values, "nan", "inf" and "-inf". Python's "%f" is prec 6.
func AppendPyFloat(dst []byte, v float64, prec int) []byte { return pyfmt.AppendFixed(dst, v, prec) }

// PyFloat returns v formatted as Python's "%.<prec>f" (see AppendPyFloat).
func PyFloat(v float64, prec int) string { return pyfmt.Fixed(v, prec) }

// PyRepr returns Python 3's repr of a float: the shortest string that
// round-trips, with ".0" on integral values, exponent form when the decimal
// exponent is below -4 or at least 16 (two-digit signed exponent: "1e-05",
// "1e+16"), and "nan", "inf", "-inf". It is what Python's print and str
// show, e.g. 0.1*0.1 → "0.010000000000000002".
func PyRepr(v float64) string { return pyfmt.Repr(v) }

// PyRound is Python 3's round(x) to an integer: halves go to the even
// neighbour (round(2.5) == 2).
func PyRound(x float64) float64 { return pyfmt.RoundHalfEven(x) }
