package main

import (
	"slices"
	"testing"
)

// Each newRootCmd call builds commands of its own: a flag set on one never
// shows in another, slice flags included (the old global commands kept
// them between runs).
func TestRootCmdFresh(t *testing.T) {
	a := newRootCmd()
	a.SetArgs([]string{"train", "--hidden", "8,8", "--epochs", "0"})
	if err := a.Execute(); err == nil {
		t.Fatal("train --epochs 0 ran")
	}
	b := newRootCmd()
	var names []string
	for _, c := range b.Commands() {
		names = append(names, c.Name())
	}
	for _, want := range []string{"demo", "ijb", "score", "train", "verify"} {
		if !slices.Contains(names, want) {
			t.Errorf("subcommands %v lack %q", names, want)
		}
	}
	train, _, err := b.Find([]string{"train"})
	if err != nil {
		t.Fatal(err)
	}
	for flag, want := range map[string]string{"hidden": "[256]", "epochs": "10"} {
		f := train.Flags().Lookup(flag)
		if f == nil || f.Changed || f.Value.String() != want {
			t.Errorf("fresh --%s: %v, want %s unchanged", flag, f, want)
		}
	}
}
