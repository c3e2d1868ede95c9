// Command bedrockbatch prepares, runs, watches and costs Amazon Bedrock batch
// inference driven by AWS Step Functions, on AWS or in a local cloud on this
// machine.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/bedrockbatch/bedrockbatch/internal/nodeenv"
)

// subcommands are added by the files that define them, one file per command
// group, so each group stays in one place.
var subcommands []func() *cobra.Command

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "bedrockbatch",
		Short:         "Run Amazon Bedrock batch inference from AWS Step Functions, on AWS or locally",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	for _, sub := range subcommands {
		root.AddCommand(sub())
	}
	return root
}

func main() {
	nodeenv.Ensure()
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "bedrockbatch:", err)
		os.Exit(exitCode(err))
	}
}

// exitError carries a specific exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if e, ok := err.(*exitError); ok {
		return e.code
	}
	return 1
}
