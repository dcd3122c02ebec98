package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// resetFlags restores every flag of c and its subcommands to its default,
// so that tests can run the same command twice. Slice flags are emptied,
// not restored: pflag appends to a slice once it has been set, and its
// "changed" mark cannot be cleared, so a test that relies on a slice flag
// passes it explicitly.
func resetFlags(c *cobra.Command) {
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			_ = sv.Replace(nil)
		} else {
			_ = f.Value.Set(f.DefValue)
		}
		f.Changed = false
	})
	for _, s := range c.Commands() {
		resetFlags(s)
	}
}
