package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/evalkit/evalkit/metric"
)

type custom struct {
	T    time.Time `json:"-"`
	Name string    `json:"name"`
}

func (custom) Kind() string    { return "custom" }
func (c custom) At() time.Time { return c.T }

type notObject struct{ custom }

func (notObject) MarshalJSON() ([]byte, error) { return []byte(`[1]`), nil }

func TestJSONL(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 1, 2, 3, 500000000, time.UTC)
	pos := Position{Time: t0, Epoch: 1, Batch: 40, Step: 119}
	nv := []metric.NameValue{{Name: "acc", Value: 0.5}, {Name: "lossvalue", Value: math.NaN()}}
	for _, c := range []struct {
		name string
		e    Event
		want string
	}{
		{"batch_end", BatchEnd{Position: pos, Samples: 64, Values: nv},
			`{"event":"batch_end","time":"2026-12-01T01:02:03.5Z","epoch":1,"batch":40,"step":119,"samples":64,"values":{"acc":0.5,"lossvalue":"NaN"}}`},
		{"speed", Speed{Position: pos, BatchBegin: 20, Speed: math.Inf(1), Values: nv},
			`{"event":"speed","time":"2026-12-01T01:02:03.5Z","epoch":1,"batch":40,"step":119,"batch_begin":20,"speed":"Infinity","values":{"acc":0.5,"lossvalue":"NaN"}}`},
		{"speed without metric", Speed{Position: pos, BatchBegin: 40, Speed: 1e21},
			`{"event":"speed","time":"2026-12-01T01:02:03.5Z","epoch":1,"batch":40,"step":119,"batch_begin":40,"speed":1e+21}`},
		{"epoch_end", EpochEnd{Position: pos, Train: nv[:1], TimeCost: 12.25},
			`{"event":"epoch_end","time":"2026-12-01T01:02:03.5Z","epoch":1,"batch":40,"step":119,"train":{"acc":0.5},"time_cost":12.25}`},
		{"validation", Validation{Position: pos, Values: []metric.NameValue{{Name: `a"b`, Value: -math.Inf(1)}}},
			`{"event":"validation","time":"2026-12-01T01:02:03.5Z","epoch":1,"batch":40,"step":119,"values":{"a\"b":"-Infinity"}}`},
		{"verification", Verification{Position: pos, Target: "lfw", Accuracy: 0.99, Std: 0.003, XNorm: 22.5, Extra: nv[:1]},
			`{"event":"verification","time":"2026-12-01T01:02:03.5Z","epoch":1,"batch":40,"step":119,"target":"lfw","accuracy":0.99,"std":0.003,"xnorm":22.5,"extra":{"acc":0.5}}`},
		{"checkpoint", Checkpoint{Position: pos, Path: "out/\x00.npz", Resumable: true},
			`{"event":"checkpoint","time":"2026-12-01T01:02:03.5Z","epoch":1,"batch":40,"step":119,"path":"out/\u0000.npz","resumable":true}`},
		{"learning_rate", LearningRate{Position: pos, Rate: 0.010000000000000002},
			`{"event":"learning_rate","time":"2026-12-01T01:02:03.5Z","epoch":1,"batch":40,"step":119,"rate":0.010000000000000002}`},
		{"other", custom{T: t0, Name: "x"},
			`{"event":"custom","time":"2026-12-01T01:02:03.5Z","name":"x"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := NewJSONL(&buf).Emit(c.e); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != c.want+"\n" {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			var v map[string]any
			if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
				t.Errorf("not JSON: %v", err)
			}
		})
	}
	if err := NewJSONL(&bytes.Buffer{}).Emit(notObject{}); err == nil || !strings.Contains(err.Error(), "not a JSON object") {
		t.Errorf("non-object event: %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestMulti(t *testing.T) {
	var got []string
	rec := Func(func(e Event) error { got = append(got, e.Kind()); return nil })
	m := Multi{rec, nil, NewJSONL(failWriter{}), rec}
	err := m.Emit(LearningRate{})
	if err == nil || !strings.Contains(err.Error(), "disk full") || len(got) != 2 {
		t.Errorf("error %v, sinks reached %v", err, got)
	}
}

func BenchmarkJSONL(b *testing.B) {
	j := NewJSONL(&bytes.Buffer{})
	e := BatchEnd{Position: Position{Time: time.Unix(1, 0), Step: 3}, Samples: 64,
		Values: []metric.NameValue{{Name: "acc", Value: 0.5}, {Name: "lossvalue", Value: 1.25}}}
	b.ReportAllocs()
	for b.Loop() {
		j.w.(*bytes.Buffer).Reset()
		if err := j.Emit(e); err != nil {
			b.Fatal(err)
		}
	}
}
