//go:build !unix

package nd

import "os"

// MapNpyFile reads the .npy file at path; on this system it is ReadNpyFile
// with a release function that does nothing.
func MapNpyFile(path string) (*Array, func() error, error) {
	a, err := ReadNpyFile(path)
	return a, func() error { return nil }, err
}

// MapFile maps nothing on this system: data is nil (read the file
// instead), after checking that path opens.
func MapFile(path string) (data []byte, release func() error, err error) {
	noop := func() error { return nil }
	f, err := os.Open(path)
	if err != nil {
		return nil, noop, err
	}
	return nil, noop, f.Close()
}
