// Command evalkit evaluates machine-learning models: MXNet-compatible metrics
// over saved outputs (score), face verification (verify, ijb), and a pure-Go
// training loop with insightface's callbacks (train, demo).
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// rootCmd is the evalkit command; each subcommand lives in its own file and
// adds itself in an init function.
var rootCmd = &cobra.Command{
	Use:           "evalkit",
	Short:         "Evaluate ML models: MXNet-compatible metrics, face verification, training with callbacks",
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "evalkit:", err)
		os.Exit(1)
	}
}
