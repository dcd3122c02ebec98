package fit

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"strings"

	"github.com/evalkit/evalkit/internal/atomicfile"
	"github.com/evalkit/evalkit/nd"
)

// Checkpoint is the content of a checkpoint file.
//
// The file is an .npz archive (a zip of .npy members, as np.savez writes):
// member "arg:NAME.npy" per arg parameter and "aux:NAME.npy" per aux
// parameter (MXNet's key names), plus, when present, "evalkit:optimizer"
// (the optimizer's MarshalBinary bytes) and "evalkit:state.json" (the
// TrainState). numpy reads it with np.load (the two extra members come back
// as bytes). Files are written to a temporary file in the same directory,
// synced and renamed, so a failure never leaves a partial file.
type Checkpoint struct {
	// Arg and Aux are the parameters by name.
	Arg, Aux map[string]*nd.Array
	// Optimizer is the optimizer's state (encoding.BinaryMarshaler), or nil.
	Optimizer []byte
	// State is the resumable training state, nil for a plain epoch
	// checkpoint.
	State *TrainState
}

const (
	memberOptimizer = "evalkit:optimizer"
	memberState     = "evalkit:state.json"
)

// ParamsPath is MXNet's parameter file name for a checkpoint number:
// "%s-%04d.params".
func ParamsPath(prefix string, epoch int) string { return fmt.Sprintf("%s-%04d.params", prefix, epoch) }

// StatesPath is MXNet's optimizer-state file name: "%s-%04d.states".
func StatesPath(prefix string, epoch int) string { return fmt.Sprintf("%s-%04d.states", prefix, epoch) }

// SaveCheckpoint writes ck to path atomically (see Checkpoint).
func SaveCheckpoint(path string, ck *Checkpoint) error {
	if ck == nil {
		return fmt.Errorf("fit: saving checkpoint %s: nil checkpoint", path)
	}
	var state []byte
	if ck.State != nil {
		b, err := json.Marshal(ck.State)
		if err != nil {
			return fmt.Errorf("fit: saving checkpoint %s: state: %w", path, err)
		}
		state = b
	}
	names, arrays := paramMembers(ck.Arg, ck.Aux)
	for i, a := range arrays {
		if a == nil {
			return fmt.Errorf("fit: saving checkpoint %s: parameter %q is nil", path, names[i])
		}
	}
	var raw []nd.NpzRaw
	for _, m := range []nd.NpzRaw{{Name: memberOptimizer, Data: ck.Optimizer}, {Name: memberState, Data: state}} {
		if m.Data != nil {
			raw = append(raw, m)
		}
	}
	err := atomicfile.Write(path, func(w io.Writer) error { return nd.WriteNpzRaw(w, names, arrays, raw) })
	if err != nil {
		return fmt.Errorf("fit: saving checkpoint %s: %w", path, err)
	}
	return nil
}

// paramMembers lists "arg:NAME" then "aux:NAME", each sorted by name.
func paramMembers(arg, aux map[string]*nd.Array) ([]string, []*nd.Array) {
	var names []string
	var arrays []*nd.Array
	for _, k := range []struct {
		p string
		m map[string]*nd.Array
	}{{"arg:", arg}, {"aux:", aux}} {
		for _, n := range sortedKeys(k.m) {
			names = append(names, k.p+n)
			arrays = append(arrays, k.m[n])
		}
	}
	return names, arrays
}

// mxnetListMagic starts MXNet's own NDArray-list files (mx.nd.save).
const mxnetListMagic = 0x112

// LoadCheckpoint reads a checkpoint written by SaveCheckpoint. A missing
// file, a truncated or corrupt archive (every member's CRC is checked), a
// member that is not a parameter, optimizer state or training state, or an
// MXNet-format .params file each give an error naming the file.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("fit: checkpoint %s does not exist: %w", path, err)
		}
		return nil, fmt.Errorf("fit: reading checkpoint: %w", err)
	}
	defer f.Close() //nolint:errcheck // read-only
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("fit: reading checkpoint: %w", err)
	}
	ck, err := readCheckpoint(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("fit: checkpoint %s is corrupt or not an evalkit checkpoint: %w", path, err)
	}
	return ck, nil
}

func readCheckpoint(r io.ReaderAt, size int64) (*Checkpoint, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		var head [8]byte
		if n, _ := r.ReadAt(head[:], 0); n == 8 && binary.LittleEndian.Uint64(head[:]) == mxnetListMagic {
			return nil, errors.New("this is an MXNet NDArray file (mx.nd.save), not an .npz checkpoint; convert it with numpy: np.savez(out, **{k: v.asnumpy() for k, v in mx.nd.load(path).items()})")
		}
		return nil, err
	}
	ck := &Checkpoint{Arg: map[string]*nd.Array{}, Aux: map[string]*nd.Array{}}
	seen := map[string]bool{}
	limits := checkpointMemberLimits(zr.File)
	for _, f := range zr.File {
		if seen[f.Name] {
			return nil, fmt.Errorf("member %q appears twice", f.Name)
		}
		seen[f.Name] = true
		switch {
		case f.Name == memberOptimizer || f.Name == memberState:
			b, err := nd.ReadZipMember(f, limits[f.Name])
			if err != nil {
				return nil, fmt.Errorf("member %q: %w", f.Name, err)
			}
			if f.Name == memberOptimizer {
				ck.Optimizer = b
				continue
			}
			var ts TrainState
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ts); err != nil {
				return nil, fmt.Errorf("member %q: %w", f.Name, err)
			}
			ck.State = &ts
		case strings.HasSuffix(f.Name, ".npy") && (strings.HasPrefix(f.Name, "arg:") || strings.HasPrefix(f.Name, "aux:")):
			a, err := nd.ReadNpyZipMember(f, 0) // allocated once, size and CRC verified
			if err != nil {
				return nil, fmt.Errorf("member %q: %w", f.Name, err)
			}
			name := strings.TrimSuffix(f.Name[4:], ".npy")
			if strings.HasPrefix(f.Name, "arg:") {
				ck.Arg[name] = a
			} else {
				ck.Aux[name] = a
			}
		default:
			return nil, fmt.Errorf("unexpected member %q (want arg:NAME.npy, aux:NAME.npy, %s, %s)", f.Name, memberOptimizer, memberState)
		}
	}
	return ck, nil
}

// maxStateJSON bounds a checkpoint's state.json: counters, the training
// metric's sums and the callbacks' states, a few kilobytes in practice.
const maxStateJSON = 64 << 20

// checkpointMemberLimits bounds the members read whole by what a
// checkpoint can hold: state.json by maxStateJSON, the optimizer state by
// 8 times the parameters' declared size (SGD keeps one momentum value per
// parameter; Adam-like optimizers in float64 four) plus 64 MiB. Arrays are
// bounded by their own .npy headers (nd.ReadNpyZipMember).
func checkpointMemberLimits(files []*zip.File) map[string]int64 {
	var params uint64
	for _, f := range files {
		if strings.HasSuffix(f.Name, ".npy") {
			params += min(f.UncompressedSize64, 1<<50)
		}
	}
	return map[string]int64{memberState: maxStateJSON, memberOptimizer: int64(min(8*params, 1<<53)) + 64<<20}
}

// RestoreOptimizer loads the checkpoint's optimizer state into opt, which
// must implement encoding.BinaryUnmarshaler. A checkpoint without optimizer
// state is an error.
func (ck *Checkpoint) RestoreOptimizer(opt Optimizer) error {
	if ck.Optimizer == nil {
		return errors.New("fit: the checkpoint holds no optimizer state")
	}
	u, ok := opt.(encoding.BinaryUnmarshaler)
	if !ok {
		return fmt.Errorf("fit: optimizer %T cannot restore state (no UnmarshalBinary)", opt)
	}
	return u.UnmarshalBinary(ck.Optimizer)
}

// CheckpointCallback saves the parameters at the end of every Period-th
// epoch: MXNet's do_checkpoint(prefix, period) and, with
// SaveOptimizerStates, module_checkpoint(mod, prefix, period, True). The
// file for epoch e (0-based) is ParamsPath(Prefix, e+1); it logs
// `Saved checkpoint to "<file>"` (and `Saved optimizer state to "<file>"`
// for StatesPath). MXNet's prefix-symbol.json has no Go counterpart and is
// not written.
//
// Unlike MXNet, parameters holding NaN or ±Inf are not saved: the callback
// returns an error (stopping Fit) and the previous checkpoint stays the last
// good one. Set AllowNonFinite to save them anyway.
type CheckpointCallback struct {
	Prefix              string
	Period              int
	SaveOptimizerStates bool
	AllowNonFinite      bool
	// Logger receives the "Saved checkpoint" lines; nil means DefaultLogger.
	Logger *slog.Logger
}

// DoCheckpoint is MXNet's mx.callback.do_checkpoint(prefix, period).
func DoCheckpoint(prefix string, period int) *CheckpointCallback {
	return &CheckpointCallback{Prefix: prefix, Period: period}
}

// ModuleCheckpoint is MXNet's mx.callback.module_checkpoint(mod, prefix,
// period, save_optimizer_states).
func ModuleCheckpoint(prefix string, period int, saveOptimizerStates bool) *CheckpointCallback {
	return &CheckpointCallback{Prefix: prefix, Period: period, SaveOptimizerStates: saveOptimizerStates}
}

// EpochEnd saves when (epoch+1) % max(1, Period) == 0.
func (c *CheckpointCallback) EpochEnd(p EpochEndParam) error {
	period := max(1, c.Period)
	if (p.Epoch+1)%period != 0 {
		return nil
	}
	return SaveEpochCheckpoint(orDefault(c.Logger, p.Logger), c.Prefix, p.Epoch+1, p.Arg, p.Aux, p.Optimizer, c.SaveOptimizerStates, c.AllowNonFinite)
}

// SaveEpochCheckpoint is MXNet's save_checkpoint(prefix, number, ...):
// it writes ParamsPath(prefix, number) and logs `Saved checkpoint to
// "<file>"`; with saveStates it writes the optimizer's MarshalBinary bytes
// to StatesPath(prefix, number) and logs `Saved optimizer state to
// "<file>"`. Non-finite parameters are refused unless allowNonFinite.
func SaveEpochCheckpoint(logger *slog.Logger, prefix string, number int, arg, aux map[string]*nd.Array, opt Optimizer, saveStates, allowNonFinite bool) error {
	if !allowNonFinite {
		if err := checkFinite(arg, aux); err != nil {
			return fmt.Errorf("fit: not saving checkpoint %s: %w; the last good checkpoint is kept", ParamsPath(prefix, number), err)
		}
	}
	log := orDefault(logger)
	path := ParamsPath(prefix, number)
	if err := SaveCheckpoint(path, &Checkpoint{Arg: arg, Aux: aux}); err != nil {
		return err
	}
	log.LogAttrs(context.Background(), slog.LevelInfo, "Saved checkpoint to \""+path+"\"", slog.String("checkpoint", path))
	if !saveStates {
		return nil
	}
	bm, ok := opt.(encoding.BinaryMarshaler)
	if !ok {
		return fmt.Errorf("fit: cannot save optimizer state: %T has no MarshalBinary", opt)
	}
	b, err := bm.MarshalBinary()
	if err != nil {
		return fmt.Errorf("fit: optimizer state: %w", err)
	}
	spath := StatesPath(prefix, number)
	if err := atomicfile.Write(spath, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return fmt.Errorf("fit: saving optimizer state %s: %w", spath, err)
	}
	log.LogAttrs(context.Background(), slog.LevelInfo, "Saved optimizer state to \""+spath+"\"", slog.String("states", spath))
	return nil
}

// checkFinite reports the first parameter (in name order) holding NaN or
// ±Inf.
func checkFinite(arg, aux map[string]*nd.Array) error {
	names, arrays := paramMembers(arg, aux)
	for i, a := range arrays {
		if a == nil {
			continue
		}
		if f := a.Float32s(); f != nil {
			for j, v := range f {
				if v-v != 0 { // NaN or ±Inf
					return fmt.Errorf("parameter %q holds %s at element %d", names[i], PyRepr(float64(v)), j)
				}
			}
			continue
		}
		n := a.Size()
		for j := 0; j < n; j++ {
			if v := a.Float(j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("parameter %q holds %s at element %d", names[i], PyRepr(v), j)
			}
		}
	}
	return nil
}

// LoadParams reads ParamsPath(prefix, number), MXNet's load_checkpoint
// without the symbol: the arg and aux parameters.
func LoadParams(prefix string, number int) (arg, aux map[string]*nd.Array, err error) {
	ck, err := LoadCheckpoint(ParamsPath(prefix, number))
	if err != nil {
		return nil, nil, err
	}
	return ck.Arg, ck.Aux, nil
}
