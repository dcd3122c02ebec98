package fit

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/nd"
)

func testParams() (arg, aux map[string]*nd.Array) {
	arg = map[string]*nd.Array{
		"fc1_weight": nd.Must(nd.FromFloat32([]float32{1, 2, 3, 4, 5, 6}, 2, 3)),
		"fc1_bias":   nd.Must(nd.FromFloat32([]float32{0.5, -0.5}, 2)),
	}
	aux = map[string]*nd.Array{"bn_moving_var": nd.Must(nd.FromFloat32([]float32{1, 1}, 2))}
	return
}

func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	arg, aux := testParams()
	path := filepath.Join(dir, "m-0001.params")
	st := &TrainState{Epoch: 3, Batch: 5, LearningRate: 0.01}
	if err := SaveCheckpoint(path, &Checkpoint{Arg: arg, Aux: aux, Optimizer: []byte{1, 2, 3}, State: st}); err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	for n, a := range arg {
		if !slices.Equal(ck.Arg[n].Float32s(), a.Float32s()) || !nd.SameShape(ck.Arg[n], a) {
			t.Errorf("%s = %v", n, ck.Arg[n])
		}
	}
	if !slices.Equal(ck.Aux["bn_moving_var"].Float32s(), []float32{1, 1}) {
		t.Error("aux lost")
	}
	if !slices.Equal(ck.Optimizer, []byte{1, 2, 3}) || ck.State == nil || ck.State.Epoch != 3 || ck.State.Batch != 5 {
		t.Errorf("optimizer %v state %+v", ck.Optimizer, ck.State)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1 (no temp files)", len(entries))
	}
}

func TestCheckpointBadFiles(t *testing.T) {
	dir := t.TempDir()
	arg, aux := testParams()
	good := filepath.Join(dir, "good.params")
	if err := SaveCheckpoint(good, &Checkpoint{Arg: arg, Aux: aux}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flipped := slices.Clone(data)
	flipped[strings.Index(string(data), "\x93NUMPY")+130] ^= 0xff // a data byte of the first member
	mx := make([]byte, 16)
	binary.LittleEndian.PutUint64(mx, 0x112)
	for _, c := range []struct {
		path, want string
	}{
		{filepath.Join(dir, "missing.params"), "does not exist"},
		{write("trunc.params", data[:len(data)/2]), "is corrupt or not an evalkit checkpoint"},
		{write("empty.params", nil), "is corrupt"},
		{write("garbage.params", []byte("hello world, not a zip at all")), "is corrupt"},
		{write("flip.params", flipped), "is corrupt"},
		{write("mxnet.params", mx), "MXNet NDArray file"},
	} {
		t.Run(c.want, func(t *testing.T) {
			ck, err := LoadCheckpoint(c.path)
			if err == nil || !strings.Contains(err.Error(), c.want) || ck != nil {
				t.Errorf("%s: err = %v, want %q", filepath.Base(c.path), err, c.want)
			}
		})
	}
}

// TestCheckpointAtomic: a failing save leaves the old file and no temp.
func TestCheckpointAtomic(t *testing.T) {
	dir := t.TempDir()
	arg, aux := testParams()
	path := filepath.Join(dir, "m.params")
	if err := SaveCheckpoint(path, &Checkpoint{Arg: arg, Aux: aux}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := map[string]*nd.Array{"x": nd.Must(nd.FromInts(nd.Uint8, []int64{300}, 1))} // out of range for uint8
	if err := SaveCheckpoint(path, &Checkpoint{Arg: bad}); err == nil {
		t.Fatal("saving an out-of-range uint8 succeeded")
	}
	after, _ := os.ReadFile(path)
	if !slices.Equal(before, after) {
		t.Error("a failed save changed the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries left, want 1", len(entries))
	}
	if err := SaveCheckpoint(filepath.Join(dir, "nodir", "m.params"), &Checkpoint{Arg: arg}); err == nil {
		t.Error("saving into a missing directory succeeded")
	}
}

func TestCheckpointCallback(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "model")
	log, buf := captureLogger()
	arg, aux := testParams()
	opt := NewSGD(0.1)
	cb := ModuleCheckpoint(prefix, 2, true)
	cb.Logger = log
	for e := 0; e < 4; e++ {
		if err := cb.EpochEnd(EpochEndParam{Epoch: e, Arg: arg, Aux: aux, Optimizer: opt}); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		`Saved checkpoint to "` + prefix + `-0002.params"`,
		`Saved optimizer state to "` + prefix + `-0002.states"`,
		`Saved checkpoint to "` + prefix + `-0004.params"`,
		`Saved optimizer state to "` + prefix + `-0004.states"`,
	}
	if d := diffLines(lines(buf), want); d != "" {
		t.Error(d)
	}
	a2, x2, err := LoadParams(prefix, 4)
	if err != nil || len(a2) != 2 || len(x2) != 1 {
		t.Fatalf("LoadParams: %v", err)
	}
	// Non-finite parameters are refused; the earlier file is kept.
	arg["fc1_bias"].Float32s()[1] = float32(nanF())
	err = DoCheckpoint(prefix, 1).EpochEnd(EpochEndParam{Epoch: 4, Arg: arg, Aux: aux})
	if err == nil || !strings.Contains(err.Error(), `parameter "arg:fc1_bias" holds nan at element 1; the last good checkpoint is kept`) {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(ParamsPath(prefix, 5)); !os.IsNotExist(err) {
		t.Error("a NaN checkpoint was written")
	}
}

func TestSGDState(t *testing.T) {
	s := NewSGD(0.1)
	s.Momentum, s.WD = 0.9, 0.5
	w := nd.Must(nd.FromFloat32([]float32{1, 1}, 2))
	g := nd.Must(nd.FromFloat32([]float32{1, -1}, 2))
	if err := s.Update("fc_weight", w, g); err != nil {
		t.Fatal(err)
	}
	// mom = -lr*wd*w - lr*g = -0.05 - 0.1 → w = 0.85; second: -0.05 + 0.1 → 1.05
	if got := w.Float32s(); got[0] != float32(1)+(-float32(0.1)*float32(0.5)*1-float32(0.1)*1) {
		t.Errorf("w = %v", got)
	}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	s2 := NewSGD(1)
	if err := s2.UnmarshalBinary(b); err != nil || s2.LR != 0.1 || !slices.Equal(s2.mom["fc_weight"], s.mom["fc_weight"]) {
		t.Errorf("restore: %v %+v", err, s2)
	}
	if err := s2.UnmarshalBinary([]byte("junk")); err == nil {
		t.Error("junk state accepted")
	}
	// wd applies only to *_weight and *_gamma.
	bias := nd.Must(nd.FromFloat32([]float32{1}, 1))
	zero := nd.Must(nd.FromFloat32([]float32{0}, 1))
	s3 := NewSGD(0.1)
	s3.WD = 1
	_ = s3.Update("fc_bias", bias, zero)
	if bias.Float32s()[0] != 1 {
		t.Errorf("bias decayed to %v", bias.Float32s()[0])
	}
}

// FuzzReadCheckpoint: arbitrary bytes give an error or a checkpoint, never
// a panic.
func FuzzReadCheckpoint(f *testing.F) {
	arg, aux := testParams()
	path := filepath.Join(f.TempDir(), "seed.params")
	if err := SaveCheckpoint(path, &Checkpoint{Arg: arg, Aux: aux, Optimizer: []byte("x"), State: &TrainState{Epoch: 1}}); err != nil {
		f.Fatal(err)
	}
	seed, _ := os.ReadFile(path)
	f.Add(seed)
	f.Add([]byte("PK\x05\x06"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = readCheckpoint(bytes.NewReader(b), int64(len(b)))
	})
}
