package nd

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
)

// WriteNpzRaw: the arrays read back as an .npz, the raw members follow them
// deflated and byte for byte, and a raw member may not reuse an array's name.
func TestWriteNpzRaw(t *testing.T) {
	a := Must(FromFloat32([]float32{1, 2, 3, 4}, 2, 2))
	var buf bytes.Buffer
	raw := []NpzRaw{{Name: "state.json", Data: []byte(`{"epoch":3}`)}}
	if err := WriteNpzRaw(&buf, []string{"w"}, []*Array{a}, raw); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 || zr.File[0].Name != "w.npy" || zr.File[0].Method != zip.Store ||
		zr.File[1].Name != "state.json" || zr.File[1].Method != zip.Deflate {
		t.Fatalf("members %v", zr.File)
	}
	rc, err := zr.File[1].Open()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if err != nil || string(got) != `{"epoch":3}` {
		t.Fatalf("state.json = %q, %v", got, err)
	}
	rc, err = zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	w, err := ReadNpy(rc)
	if err != nil || w.Float32s()[3] != 4 {
		t.Fatalf("array w not read back: %v", err)
	}
	err = WriteNpzRaw(io.Discard, []string{"w"}, []*Array{a}, []NpzRaw{{Name: "w.npy", Data: []byte("x")}})
	if err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate member: err = %v", err)
	}
}
