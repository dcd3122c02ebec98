// Command evalkit evaluates machine-learning models: MXNet-compatible metrics
// over saved outputs (score), face verification (verify, ijb), and a pure-Go
// training loop with insightface's callbacks (train, demo).
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// newRootCmd builds the evalkit command and its subcommands afresh: every
// flag lives in the command that defines it, so two commands built by two
// calls share nothing (tests build one per run).
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "evalkit",
		Short:         "Evaluate ML models: MXNet-compatible metrics, face verification, training with callbacks",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newScoreCmd(), newVerifyCmd(), newIJBCmd(), newEmbedCmd(), newIdentifyCmd(), newTrainCmd(), newDemoCmd())
	return root
}

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "evalkit:", err)
		os.Exit(1)
	}
}
