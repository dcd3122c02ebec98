package dataset

import (
	"fmt"
	"io"
	"os"
)

// readWith opens p and parses it with parse, naming the file in errors.
func readWith[T any](p string, parse func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(p)
	if err != nil {
		return zero, fmt.Errorf("dataset: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: nothing to lose
	v, err := parse(f)
	if err != nil {
		return zero, fmt.Errorf("dataset: %s: %w", p, err)
	}
	return v, nil
}
