package dataset

import (
	"fmt"
	"strings"
)

// allowedGlobals lists the globals a .bin pickle may name: _codecs.encode
// (how Python 3 writes bytes at protocol 2), bytes and bytearray, and
// numpy's array reconstruction (build_eval_pack.py stores the uint8 arrays
// of cv2.imencode). Keys are module + "." + name.
var allowedGlobals = map[string]string{
	"_codecs.encode":                      "encode",
	"__builtin__.bytes":                   "bytes",
	"builtins.bytes":                      "bytes",
	"__builtin__.bytearray":               "bytes",
	"builtins.bytearray":                  "bytes",
	"numpy.core.multiarray._reconstruct":  "reconstruct",
	"numpy._core.multiarray._reconstruct": "reconstruct",
	"numpy.core.numeric._frombuffer":      "frombuffer",
	"numpy._core.numeric._frombuffer":     "frombuffer",
	"numpy.ndarray":                       "ndarray",
	"numpy.dtype":                         "dtype",
}

// global pushes an allowed global, or refuses the pickle naming it.
func (u *unpickler) global(module, name string) error {
	kind, ok := allowedGlobals[module+"."+name]
	if !ok {
		return u.errorf("the global %s is not allowed: a .bin may name only _codecs.encode, bytes, bytearray and numpy's array reconstruction", truncate(module+"."+name, 80))
	}
	u.push(&pyGlobal{module: module, name: name, kind: kind})
	return nil
}

// reduce runs REDUCE: an allowed global called with a tuple of arguments.
func (u *unpickler) reduce() error {
	a, err := u.pop()
	if err != nil {
		return err
	}
	f, err := u.pop()
	if err != nil {
		return err
	}
	g, ok := f.(*pyGlobal)
	if !ok {
		return u.errorf("calls %s, want an allowed global", pyDescribe(f))
	}
	args, ok := a.(pyTuple)
	if !ok {
		return u.errorf("arguments are %s, want a tuple", pyDescribe(a))
	}
	var v any
	switch g.kind {
	case "encode":
		v, err = u.codecsEncode(args)
	case "bytes":
		v, err = u.bytesCall(args)
	case "reconstruct":
		v = &npArray{desc: "a numpy array"}
	case "frombuffer":
		v, err = u.frombuffer(args)
	case "dtype":
		if len(args) < 1 {
			return u.errorf("numpy.dtype() without arguments")
		}
		v = &npDtype{name: textOrBytes(args[0])}
	default:
		return u.errorf("calls the class %s.%s, which is not callable here", g.module, g.name)
	}
	if err != nil {
		return err
	}
	u.push(v)
	return nil
}

// build runs BUILD: the state of a numpy array or dtype.
func (u *unpickler) build() error {
	state, err := u.pop()
	if err != nil {
		return err
	}
	v, err := u.top()
	if err != nil {
		return err
	}
	switch x := v.(type) {
	case *npArray:
		x.setState(state)
	case *npDtype: // byte order and the like: not needed for uint8
	default:
		return u.errorf("sets the state of %s, which takes none", pyDescribe(v))
	}
	return nil
}

// codecsEncode is _codecs.encode(text[, 'latin1']). The result is computed
// once per text object: a memoised text referenced many times shares it.
func (u *unpickler) codecsEncode(args pyTuple) (any, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, u.errorf("_codecs.encode takes 1 or 2 arguments, got %d", len(args))
	}
	t, ok := args[0].(*pyText)
	if !ok {
		return nil, u.errorf("_codecs.encode of %s, want str", pyDescribe(args[0]))
	}
	if len(args) == 2 {
		enc := textOrBytes(args[1])
		switch strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(enc, "-", ""), "_", "")) {
		case "latin1", "iso88591", "l1":
		default:
			return nil, u.errorf("_codecs.encode with encoding %q, want latin1", truncate(enc, 40))
		}
	}
	if !t.done {
		t.done = true
		u.work += len(t.s)
		out := make([]byte, 0, len(t.s))
		for _, c := range t.s {
			if c > 0xff {
				t.err = fmt.Errorf("character %U is not latin-1", c)
				break
			}
			out = append(out, byte(c))
		}
		if t.err == nil {
			t.latin1 = out[:len(out):len(out)]
		}
	}
	if t.err != nil {
		return nil, u.errorf("_codecs.encode: %v", t.err)
	}
	return t.latin1, nil
}

// bytesCall is bytes() / bytearray() with no argument, a bytes argument,
// or (text, 'latin-1') as Python 3 pickles a bytearray at protocol 2.
func (u *unpickler) bytesCall(args pyTuple) (any, error) {
	switch len(args) {
	case 0:
		return []byte{}, nil
	case 1:
		if b, ok := args[0].([]byte); ok {
			return b, nil
		}
	case 2:
		if _, ok := args[0].(*pyText); ok {
			return u.codecsEncode(args)
		}
	}
	return nil, u.errorf("bytes() with %d arguments (%s…), want none, bytes, or str and an encoding", len(args), describeFirst(args))
}

// frombuffer is numpy's _frombuffer(buffer, dtype, shape, order), how
// numpy pickles arrays at protocol 5.
func (u *unpickler) frombuffer(args pyTuple) (any, error) {
	if len(args) != 4 {
		return nil, u.errorf("numpy _frombuffer takes 4 arguments, got %d", len(args))
	}
	a := &npArray{}
	a.setState(pyTuple{int64(1), args[2], args[1], false, args[0]})
	return a, nil
}

func describeFirst(args pyTuple) string {
	if len(args) == 0 {
		return "none"
	}
	return pyDescribe(args[0])
}

func textOrBytes(v any) string {
	switch x := v.(type) {
	case *pyText:
		return x.s
	case []byte:
		return string(x)
	}
	return ""
}

// npArray keeps a pickled numpy array when it is a 1-D (or N × 1) uint8 or
// int8 array — the encoded image bytes of cv2.imencode.
type npArray struct {
	data []byte
	desc string
}

// setState takes ndarray.__reduce__'s state (version, shape, dtype,
// is_fortran, rawdata); arrays that cannot hold image bytes keep only a
// description for the error message.
func (a *npArray) setState(state any) {
	a.desc = "a numpy array"
	t, ok := state.(pyTuple)
	if !ok || len(t) != 5 {
		a.desc = "a numpy array with state " + pyDescribe(state)
		return
	}
	dt, _ := t[2].(*npDtype)
	if dt == nil || (dt.name != "u1" && dt.name != "uint8" && dt.name != "i1" && dt.name != "int8" && dt.name != "|u1" && dt.name != "|i1") {
		a.desc = "a numpy array of a non-byte dtype"
		return
	}
	shape, _ := asSlice(t[1])
	if len(shape) != 1 && (len(shape) != 2 || shape[1] != int64(1)) {
		a.desc = "a numpy array that is not 1-D"
		return
	}
	if n, ok := shape[0].(int64); ok {
		if data, ok := t[4].([]byte); ok && int64(len(data)) == n {
			a.data = data
		}
	}
}

type npDtype struct{ name string }
