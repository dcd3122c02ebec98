package main

import (
	"fmt"
	"io"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"

	"github.com/evalkit/evalkit/internal/atomicfile"
)

// addCPUProfileFlag adds --cpuprofile FILE to cmd; run the command's work
// through withCPUProfile(*path, …).
func addCPUProfileFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "cpuprofile", "", "write a CPU profile of the run to this file (read it with go tool pprof)")
}

// withCPUProfile runs run and, when path is not empty, writes a CPU profile
// of it to path (pprof format, for go tool pprof). The profile is written
// atomically and also when run fails; run's error comes first.
func withCPUProfile(path string, run func() error) error {
	if path == "" {
		return run()
	}
	var runErr error
	err := atomicfile.Write(path, func(w io.Writer) error {
		if err := pprof.StartCPUProfile(w); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		runErr = run()
		pprof.StopCPUProfile()
		return nil
	})
	if runErr != nil {
		return runErr
	}
	if err != nil {
		return fmt.Errorf("cpu profile %s: %w", path, err)
	}
	return nil
}

// phases prints the wall time of each step of a command to w when
// enabled (--timing): one "phase NAME  SECONDS s" line per step, then
// the total.
type phases struct {
	w           io.Writer
	start, last time.Time
}

// newPhases returns phase timing that prints to w, or does nothing when w
// is nil.
func newPhases(w io.Writer) *phases {
	now := time.Now()
	return &phases{w: w, start: now, last: now}
}

// done ends the current phase under name.
func (p *phases) done(name string) {
	if p.w == nil {
		return
	}
	now := time.Now()
	fmt.Fprintf(p.w, "phase %-28s %7.3f s\n", name, now.Sub(p.last).Seconds())
	p.last = now
}

// total prints the time since newPhases.
func (p *phases) total() {
	if p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "phase %-28s %7.3f s\n", "total (after start-up)", time.Since(p.start).Seconds())
}
