package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/evalkit/evalkit/fit"
	"github.com/evalkit/evalkit/nd"
)

func TestConfigState(t *testing.T) {
	cfg := tinyConfig()
	cs := &ConfigState{Config: cfg}
	raw, err := cs.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	ck := &fit.Checkpoint{State: &fit.TrainState{Callbacks: map[string]json.RawMessage{ConfigStateKey: raw}}}
	got, err := ConfigFromCheckpoint(ck)
	if err != nil {
		t.Fatal(err)
	}
	if !sameArchitecture(got, cfg) || got.BatchSize != cfg.BatchSize {
		t.Errorf("round trip: %+v, want %+v", got, cfg)
	}
	if err := cs.RestoreState(raw); err != nil {
		t.Errorf("restoring the same config: %v", err)
	}
	other := cfg
	other.Hidden = []int{13}
	if err := (&ConfigState{Config: other}).RestoreState(raw); err == nil || !strings.Contains(err.Error(), "hidden [12]") {
		t.Errorf("different architecture: %v", err)
	}
	for _, c := range []struct {
		name string
		ck   *fit.Checkpoint
		want string
	}{
		{"no state", &fit.Checkpoint{}, "no training state"},
		{"no config", &fit.Checkpoint{State: &fit.TrainState{}}, "no network config"},
		{"bad json", &fit.Checkpoint{State: &fit.TrainState{Callbacks: map[string]json.RawMessage{ConfigStateKey: json.RawMessage(`{"input_dim": "x"}`)}}}, "network config"},
		{"invalid", &fit.Checkpoint{State: &fit.TrainState{Callbacks: map[string]json.RawMessage{ConfigStateKey: json.RawMessage(`{"input_dim": 4}`)}}}, "embedding_dim must be > 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ConfigFromCheckpoint(c.ck); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			}
		})
	}
}

func TestCheckParams(t *testing.T) {
	net, _ := New(tinyConfig())
	defer net.Close()
	mod := NewModule(net)
	arg, _ := mod.Params()
	copyArg := func() map[string]*nd.Array {
		m := map[string]*nd.Array{}
		for k, v := range arg {
			m[k] = v
		}
		return m
	}
	if err := net.CheckParams(&fit.Checkpoint{Arg: copyArg()}); err != nil {
		t.Fatal(err)
	}
	missing := copyArg()
	delete(missing, "fc7_weight")
	extra := copyArg()
	extra["fc9_weight"] = arg["fc1_bias"]
	shape := copyArg()
	shape["fc1_bias"] = nd.Must(nd.FromFloat32(make([]float32, 9)))
	for _, c := range []struct {
		name string
		arg  map[string]*nd.Array
		want string
	}{
		{"missing", missing, "lacks parameter fc7_weight"},
		{"extra", extra, "has parameter fc9_weight"},
		{"shape", shape, "fc1_bias is float32(9,), want float32(8,)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := net.CheckParams(&fit.Checkpoint{Arg: c.arg}); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			}
		})
	}
}
