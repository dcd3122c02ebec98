package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxLineBytes bounds one line of the text formats (issame labels, LFW
// pairs, image lists); their lines are a few dozen bytes.
const maxLineBytes = 1 << 20

// textLines reads the lines of a text file as bufio.Scanner does (the end
// of line, "\n" or "\r\n", dropped), and also drops a UTF-8 byte-order
// mark at the start of the file (Windows editors write one) and reports a
// line longer than maxLineBytes by its number.
type textLines struct {
	sc *bufio.Scanner
	n  int
}

func newTextLines(r io.Reader) *textLines {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxLineBytes)
	return &textLines{sc: sc}
}

// Scan advances to the next line.
func (t *textLines) Scan() bool {
	if !t.sc.Scan() {
		return false
	}
	t.n++
	return true
}

// Text returns the current line.
func (t *textLines) Text() string {
	s := t.sc.Text()
	if t.n == 1 {
		s = strings.TrimPrefix(s, "\ufeff")
	}
	return s
}

// Line returns the current line's number, from 1.
func (t *textLines) Line() int { return t.n }

// Err returns the first read error; a line too long names its number.
func (t *textLines) Err() error {
	err := t.sc.Err()
	if errors.Is(err, bufio.ErrTooLong) {
		return fmt.Errorf("line %d is longer than %d bytes", t.n+1, maxLineBytes)
	}
	return err
}
