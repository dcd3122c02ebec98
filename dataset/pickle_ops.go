package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// The opcodes of the .bin pickle reader (see pickle.go), one switch per
// family: stack and containers, scalars, then filling, memo and globals.

// step runs one opcode; it reports true at STOP.
func (u *unpickler) step() (bool, error) {
	switch op := u.op; op {
	case '.':
		return true, nil
	case 0x80: // PROTO
		b, err := u.take(1)
		if err == nil && b[0] > 5 {
			err = u.errorf("protocol %d; want 0 to 5", b[0])
		}
		return false, err
	case 0x95: // FRAME: the framed opcodes follow in the same stream
		b, err := u.take(8)
		if err != nil {
			return false, err
		}
		if n := binary.LittleEndian.Uint64(b); n > uint64(len(u.data)-u.pos) {
			return false, u.errorf("frame needs %d bytes, %d left", n, len(u.data)-u.pos)
		}
	case '(':
		if len(u.marks) >= maxMarks {
			return false, u.errorf("more than %d nested MARKs (a .bin needs a few)", maxMarks)
		}
		u.marks = append(grow(u.marks, 1), len(u.stack))
	case '0':
		if len(u.stack) > u.fence() {
			_, err := u.pop()
			return false, err
		}
		items, err := u.popMark()
		clearItems(items)
		return false, err
	case '1':
		items, err := u.popMark()
		clearItems(items)
		return false, err
	case '2':
		v, err := u.top()
		u.push(v)
		return false, err
	case 'N':
		u.push(nil)
	case 0x88, 0x89:
		u.push(op == 0x88)
	case ')':
		u.push(pyTuple(nil)) // a nil slice in an interface allocates nothing
	case ']':
		u.push(&pyList{})
	case '}':
		u.push(&pyDict{})
	case 0x85, 0x86, 0x87:
		t, err := u.popN(int(op-0x85) + 1)
		u.push(t)
		return false, err
	case 't', 'l':
		items, err := u.popMark()
		if err != nil {
			return false, err
		}
		c := make([]any, len(items))
		copy(c, items)
		clearItems(items)
		if op == 't' {
			u.push(pyTuple(c))
		} else {
			u.push(&pyList{items: c})
		}
	default:
		return false, u.stepValue()
	}
	return false, nil
}

// stepValue runs the opcodes that read scalars, containers' contents, the
// memo and globals.
func (u *unpickler) stepValue() error {
	switch op := u.op; op {
	case 'K', 'M', 'J':
		b, err := u.take(uint64(opWidth(op)))
		if err != nil {
			return err
		}
		switch len(b) {
		case 1:
			u.push(int64(b[0]))
		case 2:
			u.push(int64(binary.LittleEndian.Uint16(b)))
		default:
			u.push(int64(int32(binary.LittleEndian.Uint32(b))))
		}
	case 'I', 'L':
		b, err := u.line()
		if err != nil {
			return err
		}
		if op == 'I' && (string(b) == "00" || string(b) == "01") {
			u.push(string(b) == "01") // protocol 0/1 bools
			return nil
		}
		if op == 'L' {
			b = bytes.TrimSuffix(b, []byte("L"))
		}
		v, err := u.textInt(b)
		if err != nil {
			return err
		}
		u.push(v)
	case 0x8a, 0x8b: // LONG1, LONG4
		b, err := u.counted(opWidth(op), true)
		if err != nil {
			return err
		}
		u.push(binaryLong(b))
	case 'F':
		b, err := u.line()
		if err != nil {
			return err
		}
		f, err := strconv.ParseFloat(string(bytes.TrimSpace(b)), 64)
		if err != nil {
			return u.errorf("%q is not a float", truncate(string(b), 40))
		}
		u.push(f)
	case 'G':
		b, err := u.take(8)
		if err != nil {
			return err
		}
		u.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case 'U', 'C', 'T', 'B', 0x8e, 0x96:
		// SHORT_BINSTRING, SHORT_BINBYTES, BINSTRING, BINBYTES, BINBYTES8,
		// BYTEARRAY8: bytes (Python 2 str read as bytes, as insightface's
		// loader does with encoding='bytes'), shared with the input.
		b, err := u.counted(opWidth(op), op == 'T')
		if err != nil {
			return err
		}
		u.push(b)
	case 'X', 0x8c, 0x8d: // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
		b, err := u.counted(opWidth(op), false)
		if err != nil {
			return err
		}
		t, err := u.text(b)
		if err != nil {
			return err
		}
		u.push(t)
	default:
		return u.stepContainer()
	}
	return nil
}

// stepContainer runs the opcodes that fill containers, use the memo, name
// globals and call them.
func (u *unpickler) stepContainer() error {
	switch op := u.op; op {
	case 'a':
		v, err := u.pop()
		if err != nil {
			return err
		}
		l, err := u.list()
		if err != nil {
			return err
		}
		l.items = append(grow(l.items, 1), v)
	case 'e':
		items, err := u.popMark()
		if err != nil {
			return err
		}
		l, err := u.list()
		if err != nil {
			return err
		}
		l.items = append(grow(l.items, len(items)), items...)
		clearItems(items)
	case 's', 'u', 'd':
		return u.dictItems(op)
	case 'q', 'h':
		b, err := u.take(1)
		if err != nil {
			return err
		}
		return u.memoOp(op == 'q', uint64(b[0]))
	case 'r', 'j':
		b, err := u.take(4)
		if err != nil {
			return err
		}
		return u.memoOp(op == 'r', uint64(binary.LittleEndian.Uint32(b)))
	case 'p', 'g':
		b, err := u.line()
		if err != nil {
			return err
		}
		v, err := u.textInt(b)
		if err != nil {
			return err
		}
		k, ok := v.(int64)
		if !ok || k < 0 {
			return u.errorf("memo key %q is out of range", truncate(string(b), 40))
		}
		return u.memoOp(op == 'p', uint64(k))
	case 0x94:
		return u.memoPut(uint64(len(u.memo) + len(u.spare)))
	case 'c':
		mod, err := u.line()
		if err != nil {
			return err
		}
		name, err := u.line()
		if err != nil {
			return err
		}
		return u.global(string(mod), string(name))
	case 0x93:
		name, err := u.pop()
		if err != nil {
			return err
		}
		mod, err := u.pop()
		if err != nil {
			return err
		}
		m, ok1 := mod.(*pyText)
		n, ok2 := name.(*pyText)
		if !ok1 || !ok2 {
			return u.errorf("module and name are %s and %s, want two str", pyDescribe(mod), pyDescribe(name))
		}
		return u.global(m.s, n.s)
	case 'R':
		return u.reduce()
	case 'b':
		return u.build()
	default:
		if name, ok := pickleOpNames[op]; ok {
			return u.errorf("%s is not used by .bin files (which hold lists of bytes and bools) and is refused", name)
		}
		return fmt.Errorf("unknown pickle opcode 0x%02x at offset %d", op, u.at)
	}
	return nil
}

// opWidth is the width of an opcode's fixed-size argument or length.
func opWidth(op byte) int {
	switch op {
	case 'K', 'U', 'C', 0x8a, 0x8c:
		return 1
	case 'M':
		return 2
	case 'J', 0x8b, 'T', 'B', 'X':
		return 4
	}
	return 8 // BINBYTES8, BYTEARRAY8, BINUNICODE8
}

func (u *unpickler) memoOp(put bool, key uint64) error {
	if put {
		return u.memoPut(key)
	}
	return u.memoGet(key)
}

func (u *unpickler) list() (*pyList, error) {
	v, err := u.top()
	if err != nil {
		return nil, err
	}
	l, ok := v.(*pyList)
	if !ok {
		return nil, u.errorf("appends to %s, want a list", pyDescribe(v))
	}
	return l, nil
}

// dictItems runs SETITEM, SETITEMS and DICT; a .bin needs no dict, so
// only the count is kept.
func (u *unpickler) dictItems(op byte) error {
	var n int
	if op == 's' {
		for range 2 {
			if _, err := u.pop(); err != nil {
				return err
			}
		}
		n = 1
	} else {
		items, err := u.popMark()
		if err != nil {
			return err
		}
		if len(items)%2 != 0 {
			return u.errorf("%d items for key/value pairs", len(items))
		}
		n = len(items) / 2
		clearItems(items)
	}
	if op == 'd' {
		u.push(&pyDict{n: n})
		return nil
	}
	v, err := u.top()
	if err != nil {
		return err
	}
	d, ok := v.(*pyDict)
	if !ok {
		return u.errorf("sets items of %s, want a dict", pyDescribe(v))
	}
	d.n += n
	return nil
}
