package tensorboard

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/evalkit/evalkit/events"
	"github.com/evalkit/evalkit/metric"
)

var update = flag.Bool("update", false, "rewrite testdata/tensorboard/run.tfevents")

const goldenDir = "../../testdata/tensorboard"

// goldenEvents is the run written to run.tfevents: one of each event kind,
// non-finite values included.
func goldenEvents() []events.Event {
	t0 := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	at := func(s float64, epoch, batch, step int) events.Position {
		return events.Position{Time: t0.Add(time.Duration(s * float64(time.Second))), Epoch: epoch, Batch: batch, Step: step}
	}
	nv := func(acc, loss float64) []metric.NameValue {
		return []metric.NameValue{{Name: "acc", Value: acc}, {Name: "lossvalue", Value: loss}}
	}
	return []events.Event{
		events.LearningRate{Position: at(0.25, 0, 0, 0), Rate: 0.1},
		events.BatchEnd{Position: at(0.5, 0, 0, 1), Samples: 64, Values: nv(0, 8.3)},
		events.Speed{Position: at(1.5, 0, 20, 21), BatchBegin: 0, Speed: 1234.56, Values: nv(0.125, 6.5)},
		events.Speed{Position: at(3, 0, 40, 41), BatchBegin: 20, Speed: math.Inf(1), Values: nv(0.25, math.NaN())},
		events.Verification{Position: at(3.5, 0, 40, 41), Target: "lfw", Accuracy: 0.87, Std: 0.0275, XNorm: 22.07558,
			Extra: []metric.NameValue{{Name: "auc", Value: 0.93}}},
		events.LearningRate{Position: at(4, 0, 60, 61), Rate: 0.010000000000000002},
		events.EpochEnd{Position: at(5, 0, 78, 78), Train: nv(0.5, 1.25), TimeCost: 5.125},
		events.Validation{Position: at(5.5, 0, 78, 78), Values: nv(0.789, -math.Inf(1))},
		events.Checkpoint{Position: at(6, 1, 0, 78), Path: "checkpoint.npz", Resumable: true},
	}
}

func writeGolden(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), Options{TotalSteps: 156})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range goldenEvents() {
		if err := w.Emit(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The writer's bytes are the committed file's, which
// gen_tfevents.py decoded with protoc-compiled TensorBoard messages.
func TestGoldenFile(t *testing.T) {
	got := writeGolden(t)
	path := filepath.Join(goldenDir, "run.tfevents")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the writer's output differs from %s (rerun with -update, then gen_tfevents.py)", path)
	}
}

// expected is one record of expected.json, as gen_tfevents.py decoded it.
type expected struct {
	WallTime    float64  `json:"wall_time"`
	Step        int64    `json:"step"`
	FileVersion string   `json:"file_version"`
	Values      []expVal `json:"values"`
}

type expVal struct {
	Tag   string          `json:"tag"`
	Value json.RawMessage `json:"simple_value"`
}

// The Go reader's view of the file (CRCs checked, fields decoded) equals
// what Python's protobuf runtime read from it.
func TestDecodedByProtobuf(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(goldenDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want []expected
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(goldenDir, "run.tfevents"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []expected
	for {
		rec, err := ReadRecord(f)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		e, err := decodeEvent(rec)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("decoded records (-protobuf +go):\n%s", d)
	}
	// Spot checks against the events themselves.
	if len(got) != 8 || got[0].FileVersion != "brain.Event:2" || got[2].Values[0].Tag != "speed" ||
		got[4].Values[0].Tag != "lfw" || string(got[4].Values[0].Value) != "0.8700000047683716" {
		t.Errorf("records: %+v", got)
	}
}

// decodeEvent is a minimal protobuf decoder of the fields the writer uses,
// written from the wire format (not from the encoder).
func decodeEvent(b []byte) (expected, error) {
	var e expected
	err := fields(b, func(num int, wire int, v uint64, data []byte) error {
		switch {
		case num == 1 && wire == 1:
			e.WallTime = math.Float64frombits(v)
		case num == 2 && wire == 0:
			e.Step = int64(v)
		case num == 3 && wire == 2:
			e.FileVersion = string(data)
		case num == 5 && wire == 2:
			return fields(data, func(num, wire int, _ uint64, data []byte) error {
				if num != 1 || wire != 2 {
					return fmt.Errorf("summary field %d/%d", num, wire)
				}
				var val expVal
				err := fields(data, func(num, wire int, v uint64, data []byte) error {
					switch {
					case num == 1 && wire == 2:
						val.Tag = string(data)
					case num == 2 && wire == 5:
						val.Value = jsonFloat(float64(math.Float32frombits(uint32(v))))
					default:
						return fmt.Errorf("value field %d/%d", num, wire)
					}
					return nil
				})
				e.Values = append(e.Values, val)
				return err
			})
		default:
			return fmt.Errorf("event field %d/%d", num, wire)
		}
		return nil
	})
	return e, err
}

func jsonFloat(v float64) json.RawMessage {
	switch {
	case math.IsNaN(v):
		return json.RawMessage(`"nan"`)
	case math.IsInf(v, 1):
		return json.RawMessage(`"inf"`)
	case math.IsInf(v, -1):
		return json.RawMessage(`"-inf"`)
	}
	b, _ := json.Marshal(v)
	return b
}

func fields(b []byte, f func(num, wire int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("bad key")
		}
		b = b[n:]
		num, wire := int(key>>3), int(key&7)
		var v uint64
		var data []byte
		switch wire {
		case 0:
			v, n = binary.Uvarint(b)
			if n <= 0 {
				return errors.New("bad varint")
			}
			b = b[n:]
		case 1:
			if len(b) < 8 {
				return errors.New("short fixed64")
			}
			v, b = binary.LittleEndian.Uint64(b), b[8:]
		case 5:
			if len(b) < 4 {
				return errors.New("short fixed32")
			}
			v, b = uint64(binary.LittleEndian.Uint32(b)), b[4:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errors.New("bad length")
			}
			data, b = b[n:n+int(l)], b[n+int(l):]
		default:
			return fmt.Errorf("wire type %d", wire)
		}
		if err := f(num, wire, v, data); err != nil {
			return err
		}
	}
	return nil
}

func TestCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tb")
	now := func() time.Time { return time.Unix(1764550800, 0) }
	w, err := Create(dir, Options{Host: "box", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Emit(events.LearningRate{Position: events.Position{Time: now(), Step: 3}, Rate: 0.5}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "events.out.tfevents.1764550800.box"); w.Path() != want {
		t.Errorf("path %s, want %s", w.Path(), want)
	}
	b, err := os.ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	r := bytes.NewReader(b)
	var recs [][]byte
	for {
		rec, err := ReadRecord(r)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	e, err := decodeEvent(recs[1])
	if err != nil || len(recs) != 2 || e.Step != 3 || e.Values[0].Tag != "learning_rate" || string(e.Values[0].Value) != "0.5" {
		t.Errorf("records %d, %+v, %v", len(recs), e, err)
	}
	if _, err := Create(dir, Options{Host: "box", Now: now}); err == nil {
		t.Error("Create replaced an existing event file")
	}
}

func TestReadRecordErrors(t *testing.T) {
	good := AppendRecord(nil, []byte("hello"))
	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 1; return b }
	huge := AppendRecord(nil, nil)
	binary.LittleEndian.PutUint64(huge, 1<<40)
	binary.LittleEndian.PutUint32(huge[8:], MaskedCRC(huge[:8]))
	for _, c := range []struct {
		name string
		in   []byte
		want string
	}{
		{"length crc", flip(0), "record length CRC"},
		{"data crc", flip(13), "record data CRC"},
		{"cut", good[:len(good)-2], "unexpected EOF"},
		{"huge", huge, "record of 1099511627776 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadRecord(bytes.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

func FuzzReadRecord(f *testing.F) {
	f.Add(AppendRecord(nil, []byte("x")))
	f.Add(AppendRecord(AppendRecord(nil, nil), AppendVersionEvent(nil, 1)))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		for {
			rec, err := ReadRecord(r)
			if err != nil {
				return
			}
			if !bytes.Equal(AppendRecord(nil, rec)[12:12+len(rec)], rec) {
				t.Fatal("round trip")
			}
		}
	})
}

func BenchmarkEmit(b *testing.B) {
	w, err := NewWriter(io.Discard, time.Unix(0, 0), Options{TotalSteps: 1000})
	if err != nil {
		b.Fatal(err)
	}
	e := events.Speed{Position: events.Position{Time: time.Unix(1, 0), Step: 20}, Speed: 100,
		Values: []metric.NameValue{{Name: "acc", Value: 0.5}, {Name: "lossvalue", Value: 1}}}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Emit(e); err != nil {
			b.Fatal(err)
		}
	}
}
