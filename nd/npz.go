package nd

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/evalkit/evalkit/internal/atomicfile"
)

// Npz is the content of an .npz archive (np.savez, np.savez_compressed): its
// arrays in archive order, named without the ".npy" suffix.
type Npz struct {
	Names  []string
	Arrays []*Array
}

// Get returns the array called name and whether it is present.
func (z *Npz) Get(name string) (*Array, bool) {
	if z == nil {
		return nil, false
	}
	for i, n := range z.Names {
		if n == name {
			return z.Arrays[i], true
		}
	}
	return nil, false
}

// ReadNpz reads an .npz archive of size bytes from r. Members may be stored
// (np.savez) or deflated (np.savez_compressed); every member must hold a
// .npy array, and array names (member names less ".npy") must be unique.
// Directory entries are skipped. Each member's checksum is verified. A
// member may declare no more bytes than its compressed data can hold; see
// ReadNpzLimit to bound it further.
func ReadNpz(r io.ReaderAt, size int64) (*Npz, error) {
	return ReadNpzLimit(r, size, 0)
}

// ReadNpzLimit is ReadNpz with members of at most maxMember bytes each
// (uncompressed; 0: no limit of the caller's). Each array is allocated once
// at the size its member declares, after the checks of ZipMemberSize.
func ReadNpzLimit(r io.ReaderAt, size, maxMember int64) (*Npz, error) {
	z, err := readNpz(r, size, maxMember)
	if err != nil {
		return nil, fmt.Errorf("nd: %w", err)
	}
	return z, nil
}

// ReadNpzFile reads the .npz archive at path.
func ReadNpzFile(path string) (*Npz, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nd: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: nothing to lose
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("nd: %w", err)
	}
	z, err := readNpz(f, st.Size(), 0)
	if err != nil {
		return nil, fmt.Errorf("nd: %s: %w", path, err)
	}
	return z, nil
}

func readNpz(r io.ReaderAt, size, maxMember int64) (*Npz, error) {
	if size < 0 {
		return nil, fmt.Errorf("negative .npz size %d", size)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // we never extract, so odd paths are harmless
		var magic [6]byte
		if n, _ := r.ReadAt(magic[:], 0); n == 6 && string(magic[:]) == npyMagic {
			return nil, errors.New("not an .npz (zip) archive: this is a single .npy array; read it with ReadNpy")
		}
		return nil, fmt.Errorf("not an .npz (zip) archive: %w", err)
	}
	z := &Npz{}
	seen := make(map[string]string, len(zr.File)) // array name → member name
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue // a directory entry
		}
		name := strings.TrimSuffix(f.Name, ".npy")
		if prev, ok := seen[name]; ok {
			if prev == f.Name {
				return nil, fmt.Errorf(".npz has more than one member named %q", f.Name)
			}
			return nil, fmt.Errorf(".npz members %q and %q both name array %q", prev, f.Name, name)
		}
		seen[name] = f.Name
		a, err := ReadNpyZipMember(f, maxMember)
		if err != nil {
			return nil, fmt.Errorf(".npz member %q: %w", f.Name, err)
		}
		z.Names = append(z.Names, name)
		z.Arrays = append(z.Arrays, a)
	}
	return z, nil
}

// WriteNpz writes arrays to w as an .npz archive, member names[i]+".npy"
// holding arrays[i], in order. With compress the members are deflated, as
// np.savez_compressed does; otherwise stored, as np.savez. Names must be
// unique. Every array is checked (see WriteNpy) before anything is written.
func WriteNpz(w io.Writer, names []string, arrays []*Array, compress bool) error {
	if err := writeNpz(w, names, arrays, compress); err != nil {
		return fmt.Errorf("nd: %w", err)
	}
	return nil
}

// WriteNpzFile writes an .npz archive to path (see WriteNpz), atomically as
// WriteNpyFile does.
func WriteNpzFile(path string, names []string, arrays []*Array, compress bool) error {
	err := atomicfile.Write(path, func(w io.Writer) error { return writeNpz(w, names, arrays, compress) })
	if err != nil {
		return fmt.Errorf("nd: writing %s: %w", path, err)
	}
	return nil
}

// npzTime is the member timestamp numpy's zipfile writes: the DOS epoch.
var npzTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// NpzRaw is a member of an .npz archive that is not an array (e.g. a JSON
// document beside the arrays of a checkpoint); WriteNpzRaw deflates it.
type NpzRaw struct {
	Name string
	Data []byte
}

// WriteNpzRaw writes arrays as WriteNpz does (stored, as np.savez), then
// the raw members, deflated, in order. numpy's np.load reads the arrays and
// gives the other members' bytes as they are; ReadNpz refuses such archives
// (fit's checkpoint reader reads them).
func WriteNpzRaw(w io.Writer, names []string, arrays []*Array, raw []NpzRaw) error {
	if err := writeNpzRaw(w, names, arrays, false, raw); err != nil {
		return fmt.Errorf("nd: %w", err)
	}
	return nil
}

func writeNpz(w io.Writer, names []string, arrays []*Array, compress bool) error {
	return writeNpzRaw(w, names, arrays, compress, nil)
}

func writeNpzRaw(w io.Writer, names []string, arrays []*Array, compress bool, raw []NpzRaw) error {
	if len(names) != len(arrays) {
		return fmt.Errorf(".npz needs one name per array: got %d names, %d arrays", len(names), len(arrays))
	}
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		if seen[n] {
			return fmt.Errorf(".npz names must be unique: %q appears twice", n)
		}
		seen[n] = true
		if arrays[i] == nil {
			return fmt.Errorf(".npz array %q is nil", n)
		}
		if err := checkShape(arrays[i].Shape(), arrays[i].Size()); err != nil {
			return fmt.Errorf(".npz array %q: %w", n, err)
		}
		if err := checkRange(arrays[i]); err != nil {
			return fmt.Errorf(".npz array %q: %w", n, err)
		}
	}
	zw := zip.NewWriter(w)
	method := zip.Store
	if compress {
		method = zip.Deflate
	}
	for i, n := range names {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: n + ".npy", Method: method, Modified: npzTime})
		if err != nil {
			return err
		}
		if err := writeNpy(fw, arrays[i]); err != nil {
			return fmt.Errorf(".npz array %q: %w", n, err)
		}
	}
	for _, m := range raw {
		if seen[m.Name] || seen[strings.TrimSuffix(m.Name, ".npy")] {
			return fmt.Errorf(".npz member %q appears twice", m.Name)
		}
		seen[m.Name] = true
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: m.Name, Method: zip.Deflate, Modified: npzTime})
		if err != nil {
			return err
		}
		if _, err := fw.Write(m.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}
