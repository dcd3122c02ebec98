package dataset

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"strings"
	"testing"
)

// allocated returns the bytes allocated while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Reading a .bin may allocate at most maxAmplification times its size plus
// amplificationSlack bytes, and do at most maxWork units of work per byte
// (see unpickler.work).
const (
	maxAmplification   = 96
	amplificationSlack = 1 << 20
	maxWork            = 4
)

// checkBounded reads data and fails when memory or work exceed the bounds.
func checkBounded(t *testing.T, data []byte) error {
	t.Helper()
	var err error
	got := allocated(func() { _, err = ReadBin(bytes.NewReader(data)) })
	limit := uint64(maxAmplification*len(data) + amplificationSlack)
	for try := 0; try < 2 && got > limit; try++ {
		// TotalAlloc counts every goroutine (the fuzzing engine's too): a
		// real excess shows on every try.
		got = min(got, allocated(func() { _, err = ReadBin(bytes.NewReader(data)) }))
	}
	if got > limit {
		t.Errorf("reading %d bytes allocated %d (%.1f×), want at most %d", len(data), got, float64(got)/float64(len(data)), limit)
	}
	u := &unpickler{data: data}
	_, _ = u.run()
	if u.work > maxWork*len(data)+16 {
		t.Errorf("reading %d bytes did %d units of work, want at most %d", len(data), u.work, maxWork*len(data)+16)
	}
	return err
}

// memoisedImages is a protocol-2 pickle whose refs images are all the one
// memoised BINSTRING of size bytes.
func memoisedImages(size, refs int) []byte {
	var p bytes.Buffer
	p.WriteString("\x80\x02](T")
	p.Write(binary.LittleEndian.AppendUint32(nil, uint32(size)))
	p.Write(bytes.Repeat([]byte{0xab}, size))
	p.WriteString("q\x00")
	for range refs - 1 {
		p.WriteString("h\x00")
	}
	p.WriteString("e](")
	for range refs / 2 {
		p.WriteByte(0x88)
	}
	p.WriteString("e\x86.")
	return p.Bytes()
}

func TestReadBinSharesMemoisedImages(t *testing.T) {
	// One 1 MB image referenced 200 times: 200 references to one buffer,
	// not 200 copies (the old reader allocated 200 MB here).
	data := memoisedImages(1<<20, 200)
	b, err := ReadBin(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Images) != 200 || &b.Images[0][0] != &b.Images[199][0] {
		t.Errorf("images are not shared")
	}
	if err := checkBounded(t, data); err != nil {
		t.Fatal(err)
	}
}

func TestReadBinSharesLatin1Text(t *testing.T) {
	// Python 3 at protocol 2: one memoised 1 MB text encoded to latin-1
	// by 200 REDUCEs is encoded once.
	var p bytes.Buffer
	p.WriteString("\x80\x02c_codecs\nencode\nq\x00X")
	p.Write(binary.LittleEndian.AppendUint32(nil, 1<<20))
	p.Write(bytes.Repeat([]byte{'a'}, 1<<20))
	p.WriteString("q\x01X\x06\x00\x00\x00latin1q\x02](")
	for range 200 {
		p.WriteString("h\x00h\x01h\x02\x86R")
	}
	p.WriteString("e](")
	for range 100 {
		p.WriteByte(0x89)
	}
	p.WriteString("e\x86.")
	b, err := ReadBin(bytes.NewReader(p.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Images) != 200 || len(b.Images[5]) != 1<<20 || &b.Images[0][0] != &b.Images[199][0] {
		t.Errorf("images are not one shared latin-1 buffer")
	}
	if err := checkBounded(t, p.Bytes()); err != nil {
		t.Fatal(err)
	}
}

func TestReadBinRefusesLongIntegers(t *testing.T) {
	// CPython refuses integers of more than 4,300 digits; so does ReadBin,
	// before parsing them (the old reader took 6 s on a million digits).
	for _, tc := range []struct {
		name, digits string
		want         string
	}{
		{"LONG 4301", strings.Repeat("7", 4301) + "L", "LONG (0x4c) at offset 2: integer of 4301 digits; more than 4300 are refused"},
		{"INT 1M", strings.Repeat("9", 1<<20), "INT (0x49) at offset 2: integer of 1048576 digits"},
		{"LONG 4300", strings.Repeat("7", 4300) + "L", "want a pickled (images, issame) pair, got int"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op := "L"
			if strings.HasPrefix(tc.name, "INT") {
				op = "I"
			}
			data := []byte("\x80\x02" + op + tc.digits + "\n.")
			err := checkBounded(t, data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %.200v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestReadBinBoundsOpcodeFloods(t *testing.T) {
	// A megabyte of one cheap opcode: memory stays a small multiple of
	// the input (the old reader took 235 MB for a million MARKs).
	for _, tc := range []struct {
		name       string
		head, body string
		tail       string
	}{
		{"MARK", "\x80\x02", "(", "N."},
		{"EMPTY_LIST", "\x80\x02", "]", "."},
		{"EMPTY_TUPLE", "\x80\x02", ")", "."},
		{"MEMOIZE", "\x80\x04N", "\x94", "."},
		{"DUP", "\x80\x02N", "2", "."},
		{"MARK TUPLE", "\x80\x02", "(Nt", "."},
		{"TUPLE1", "\x80\x02N", "\x85", "."},
		{"LONG_BINPUT", "\x80\x02N", "r\xff\xff\xff\x7f", "."},
		{"APPEND", "\x80\x02]", "Na", "."},
		{"BINUNICODE", "\x80\x02", "\x8c\x01a", "."},
		{"LONG1", "\x80\x02", "\x8a\x01\x80", "."},
		{"LONG4", "\x80\x02", "\x8b\x09\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09", "."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.head + strings.Repeat(tc.body, (1<<20)/len(tc.body)) + tc.tail)
			if err := checkBounded(t, data); err == nil {
				t.Errorf("accepted")
			}
		})
	}
}

func TestReadBinForbiddenGlobal(t *testing.T) {
	// The error names the global and says what is allowed, in full.
	_, err := ReadBin(bytes.NewReader([]byte("\x80\x02cos\nsystem\nU\x02ls\x85R.")))
	want := "bin: pickle opcode GLOBAL (0x63) at offset 2: the global os.system is not allowed: " +
		"a .bin may name only _codecs.encode, bytes, bytearray and numpy's array reconstruction"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	_, err = ReadBin(bytes.NewReader([]byte("\x80\x04\x8c\x02os\x8c\x06system\x93.")))
	if err == nil || !strings.Contains(err.Error(), "STACK_GLOBAL (0x93) at offset 14: the global os.system is not allowed") {
		t.Errorf("STACK_GLOBAL: err = %v", err)
	}
}
