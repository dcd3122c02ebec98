// Package jsonnum is evalkit's one rule for floats in JSON: finite values
// are JSON numbers (shortest round-trip digits, -0 kept as -0), and the
// values JSON has no number for are the strings "NaN", "Infinity" and
// "-Infinity" (the spelling of Protocol Buffers' JSON mapping and of
// JavaScript). Every float64 survives a round trip bit for bit, NaN
// payloads aside.
package jsonnum

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Float is a float64 that encodes and decodes by the package's rule.
type Float float64

// MarshalJSON encodes f as a number, or as "NaN", "Infinity", "-Infinity".
func (f Float) MarshalJSON() ([]byte, error) { return Append(nil, float64(f)), nil }

// UnmarshalJSON accepts a JSON number or one of the three strings.
func (f *Float) UnmarshalJSON(b []byte) error {
	v, err := Parse(b)
	if err != nil {
		return err
	}
	*f = Float(v)
	return nil
}

// Floats is a []float64 whose elements encode and decode by the package's
// rule.
type Floats []float64

// MarshalJSON encodes the slice as an array (null when nil, as
// encoding/json does).
func (fs Floats) MarshalJSON() ([]byte, error) {
	if fs == nil {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 2+len(fs)*20)
	b = append(b, '[')
	for i, v := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = Append(b, v)
	}
	return append(b, ']'), nil
}

// UnmarshalJSON decodes an array of numbers and the three strings.
func (fs *Floats) UnmarshalJSON(b []byte) error {
	var raw []Float
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		*fs = nil
		return nil
	}
	out := make([]float64, len(raw))
	for i, v := range raw {
		out[i] = float64(v)
	}
	*fs = out
	return nil
}

// Append appends v encoded by the package's rule to dst.
func Append(dst []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, `"NaN"`...)
	case math.IsInf(v, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(v, -1):
		return append(dst, `"-Infinity"`...)
	}
	return strconv.AppendFloat(dst, v, 'g', -1, 64)
}

// Parse decodes one JSON value written by Append (or any JSON number).
func Parse(b []byte) (float64, error) {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case `"NaN"`:
		return math.NaN(), nil
	case `"Infinity"`:
		return math.Inf(1), nil
	case `"-Infinity"`:
		return math.Inf(-1), nil
	}
	if len(b) == 0 || !(b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) {
		return 0, fmt.Errorf("want a JSON number or \"NaN\", \"Infinity\", \"-Infinity\", got %s", abbreviate(b))
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, fmt.Errorf("want a JSON number or \"NaN\", \"Infinity\", \"-Infinity\", got %s", abbreviate(b))
	}
	return v, nil
}

func abbreviate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
