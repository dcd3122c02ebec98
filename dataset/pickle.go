package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// This file is a small pickle machine for what insightface's .bin files
// hold: lists of bytes (or Python 2 str), lists of bools, a tuple, and the
// few globals that Python 3 and numpy use to write bytes. It replaces a
// general unpickler so that reading stays linear in time and memory:
//
//   - bytes and Python 2 str are slices of the input, never copied, so a
//     memoised image referenced many times costs one slice header per
//     reference;
//   - text is copied once, and its latin-1 encoding (Python 3's protocol-2
//     bytes) is computed once per text object and shared;
//   - a MARK costs one int, every other opcode at most one stack slot;
//   - integers in text form (INT, LONG) longer than CPython's 4,300 digits
//     are refused, and integers wider than 64 bits are kept opaque (a .bin
//     never needs their value), so no opcode does super-linear work;
//   - every opcode outside a .bin's needs (objects, persistent ids,
//     extensions, sets, out-of-band buffers) and every global outside a
//     short allow-list is refused with an error naming it and its offset.

// maxIntDigits is CPython's default int_max_str_digits: text integers with
// more digits are refused.
const maxIntDigits = 4300

// maxStack and maxMarks bound the unpickler's stack and MARK nesting.
// Python writes a .bin's lists in APPENDS batches of 1,000 items, so its
// stack never holds much more than 1,000 items nor more than a few marks.
const (
	maxStack = 1 << 20
	maxMarks = 1 << 12
)

// pyList is a Python list (mutable: APPEND may follow a memo PUT).
type pyList struct{ items []any }

// pyTuple is a Python tuple.
type pyTuple []any

// pyText is a Python unicode string. Its latin-1 encoding is computed at
// most once and shared by every _codecs.encode call on it.
type pyText struct {
	s      string
	latin1 []byte
	err    error
	done   bool
}

// pyBigInt is an integer wider than 64 bits; its value is never needed.
type pyBigInt struct{}

// pyDict is a Python dict; a .bin never needs its items, only its count.
type pyDict struct{ n int }

// pyGlobal is an allowed global (a function or class) named by the pickle.
type pyGlobal struct{ module, name, kind string }

// pickleOpNames names the opcodes of protocols 0 to 5 for error messages.
var pickleOpNames = map[byte]string{
	'(': "MARK", '.': "STOP", '0': "POP", '1': "POP_MARK", '2': "DUP", 'F': "FLOAT", 'I': "INT",
	'J': "BININT", 'K': "BININT1", 'L': "LONG", 'M': "BININT2", 'N': "NONE", 'P': "PERSID",
	'Q': "BINPERSID", 'R': "REDUCE", 'S': "STRING", 'T': "BINSTRING", 'U': "SHORT_BINSTRING",
	'V': "UNICODE", 'X': "BINUNICODE", 'a': "APPEND", 'b': "BUILD", 'c': "GLOBAL", 'd': "DICT",
	'}': "EMPTY_DICT", 'e': "APPENDS", 'g': "GET", 'h': "BINGET", 'i': "INST", 'j': "LONG_BINGET",
	'l': "LIST", ']': "EMPTY_LIST", 'o': "OBJ", 'p': "PUT", 'q': "BINPUT", 'r': "LONG_BINPUT",
	's': "SETITEM", 't': "TUPLE", ')': "EMPTY_TUPLE", 'u': "SETITEMS", 'G': "BINFLOAT",
	0x80: "PROTO", 0x81: "NEWOBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x85: "TUPLE1",
	0x86: "TUPLE2", 0x87: "TUPLE3", 0x88: "NEWTRUE", 0x89: "NEWFALSE", 0x8a: "LONG1", 0x8b: "LONG4",
	'B': "BINBYTES", 'C': "SHORT_BINBYTES", 0x8c: "SHORT_BINUNICODE", 0x8d: "BINUNICODE8",
	0x8e: "BINBYTES8", 0x8f: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x92: "NEWOBJ_EX",
	0x93: "STACK_GLOBAL", 0x94: "MEMOIZE", 0x95: "FRAME", 0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER",
	0x98: "READONLY_BUFFER",
}

// unpickler runs the opcodes of one pickle held in memory.
type unpickler struct {
	data  []byte
	pos   int
	op    byte // current opcode
	at    int  // its offset
	stack []any
	marks []int
	memo  []any          // dense memo (keys 0, 1, 2, … as Python writes them)
	spare map[uint64]any // keys beyond the dense part
	work  int            // opcodes run plus items and bytes they touched (tests check it is linear)
}

// unpickle runs the pickle in data up to STOP and returns the value it
// built.
func unpickle(data []byte) (any, error) {
	u := &unpickler{data: data}
	return u.run()
}

func (u *unpickler) errorf(format string, args ...any) error {
	name := pickleOpNames[u.op]
	return fmt.Errorf("pickle opcode %s (0x%02x) at offset %d: %s", name, u.op, u.at, fmt.Sprintf(format, args...))
}

// take returns the next n bytes of the input, uncopied.
func (u *unpickler) take(n uint64) ([]byte, error) {
	if n > uint64(len(u.data)-u.pos) {
		return nil, u.errorf("needs %d bytes, %d left", n, len(u.data)-u.pos)
	}
	b := u.data[u.pos : u.pos+int(n) : u.pos+int(n)]
	u.pos += int(n)
	u.work += int(n)
	return b, nil
}

// counted reads a little-endian length of width bytes, then that many bytes.
func (u *unpickler) counted(width int, signed bool) ([]byte, error) {
	b, err := u.take(uint64(width))
	if err != nil {
		return nil, err
	}
	var n uint64
	switch width {
	case 1:
		n = uint64(b[0])
	case 4:
		n = uint64(binary.LittleEndian.Uint32(b))
		if signed && int32(n) < 0 {
			return nil, u.errorf("negative length %d", int32(n))
		}
	case 8:
		n = binary.LittleEndian.Uint64(b)
	}
	return u.take(n)
}

// line returns the bytes up to the next newline (excluded).
func (u *unpickler) line() ([]byte, error) {
	i := bytes.IndexByte(u.data[u.pos:], '\n')
	if i < 0 {
		return nil, u.errorf("missing end of line")
	}
	b := u.data[u.pos : u.pos+i]
	u.pos += i + 1
	u.work += i + 1
	return b, nil
}

// push puts v on the stack; run keeps the stack within maxStack (no opcode
// pushes more than one item).
func (u *unpickler) push(v any) { u.stack = append(grow(u.stack, 1), v) }

// grow makes room for n more elements, doubling the capacity: append's
// smaller steps for large slices would allocate about five times the final
// size in all, doubling twice.
func grow[T any](s []T, n int) []T {
	if len(s)+n <= cap(s) {
		return s
	}
	c := max(2*cap(s), len(s)+n, 16)
	g := make([]T, len(s), c)
	copy(g, s)
	return g
}

// fence is the stack depth below which the current MARK hides items.
func (u *unpickler) fence() int {
	if len(u.marks) == 0 {
		return 0
	}
	return u.marks[len(u.marks)-1]
}

func (u *unpickler) pop() (any, error) {
	if len(u.stack) <= u.fence() {
		return nil, u.errorf("stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack[len(u.stack)-1] = nil
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	if len(u.stack) <= u.fence() {
		return nil, u.errorf("stack underflow")
	}
	return u.stack[len(u.stack)-1], nil
}

// popMark removes the items above the last MARK and the mark; the returned
// slice aliases the stack and is valid until the next push.
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, u.errorf("no MARK before it")
	}
	k := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := u.stack[k:]
	u.stack = u.stack[:k]
	u.work += len(items)
	return items, nil
}

func clearItems(items []any) {
	for i := range items {
		items[i] = nil
	}
}

// popN pops n items (the tuple opcodes) and returns them as a new tuple.
func (u *unpickler) popN(n int) (any, error) {
	if len(u.stack)-n < u.fence() {
		return nil, u.errorf("stack underflow")
	}
	t := make(pyTuple, n)
	copy(t, u.stack[len(u.stack)-n:])
	clearItems(u.stack[len(u.stack)-n:])
	u.stack = u.stack[:len(u.stack)-n]
	return t, nil
}

func (u *unpickler) memoPut(key uint64) error {
	v, err := u.top()
	if err != nil {
		return err
	}
	switch {
	case key < uint64(len(u.memo)):
		u.memo[key] = v
	case key == uint64(len(u.memo)):
		u.memo = append(grow(u.memo, 1), v)
	default:
		if u.spare == nil {
			u.spare = map[uint64]any{}
		}
		u.spare[key] = v
	}
	return nil
}

func (u *unpickler) memoGet(key uint64) error {
	if key < uint64(len(u.memo)) {
		u.push(u.memo[key])
		return nil
	}
	v, ok := u.spare[key]
	if !ok {
		return u.errorf("memo key %d was never stored", key)
	}
	u.push(v)
	return nil
}

// textInt parses a decimal integer line of INT, LONG, PUT or GET; integers
// beyond 64 bits become pyBigInt.
func (u *unpickler) textInt(b []byte) (any, error) {
	s := bytes.TrimSpace(b)
	digits := s
	if len(digits) > 0 && (digits[0] == '-' || digits[0] == '+') {
		digits = digits[1:]
	}
	if len(digits) > maxIntDigits {
		return nil, u.errorf("integer of %d digits; more than %d are refused (as CPython does)", len(digits), maxIntDigits)
	}
	if len(digits) == 0 {
		return nil, u.errorf("%q is not an integer", truncate(string(s), 40))
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return nil, u.errorf("%q is not an integer", truncate(string(s), 40))
		}
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return pyBigInt{}, nil // out of int64 range: digits checked above
	}
	return n, nil
}

// binaryLong decodes LONG1/LONG4's little-endian two's complement.
func binaryLong(b []byte) any {
	if len(b) > 8 {
		return pyBigInt{}
	}
	var n uint64
	for i := len(b) - 1; i >= 0; i-- {
		n = n<<8 | uint64(b[i])
	}
	if len(b) > 0 && len(b) < 8 && b[len(b)-1]&0x80 != 0 {
		n |= ^uint64(0) << (8 * len(b))
	}
	return int64(n)
}

func (u *unpickler) text(b []byte) (any, error) {
	if !utf8.Valid(b) {
		return nil, u.errorf("text is not valid UTF-8")
	}
	return &pyText{s: string(b)}, nil
}

func (u *unpickler) run() (any, error) {
	for u.pos < len(u.data) {
		u.at, u.op = u.pos, u.data[u.pos]
		u.pos++
		u.work++
		if len(u.stack) >= maxStack {
			return nil, u.errorf("the stack would exceed %d items (a .bin needs about 1,000)", maxStack)
		}
		if done, err := u.step(); err != nil || done {
			if err != nil {
				return nil, err
			}
			v, err := u.pop()
			if err != nil {
				return nil, err
			}
			return v, nil
		}
	}
	return nil, fmt.Errorf("pickle ends without STOP after %d bytes", len(u.data))
}
