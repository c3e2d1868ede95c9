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

// newRootCmd is the program's surface: every command, in the order help
// lists them.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "bedrockbatch",
		Short:         "Run Amazon Bedrock batch inference from AWS Step Functions, on AWS or locally",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newASLCmd(),      // asl validate|run: Amazon States Language definitions, checked or run here
		newCostCmd(),     // cost: what manifests cost, batch and on demand
		newLocalCmd(),    // local run|serve: the app in a local cloud in this process
		newPrepareCmd(),  // prepare: manifests from a table or an OpenAI batch file
		newResultsCmd(),  // results: jobs' output as a table joined to the source rows
		newStartCmd(),    // start: upload manifests to a deployed workflow and start it
		newValidateCmd(), // validate: manifests checked for what Bedrock would reject
		newWatchCmd(),    // watch: an execution and its jobs followed to the end
	)
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
