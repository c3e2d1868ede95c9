package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/bedrockbatch/bedrockbatch/localcloud/console"
	"github.com/bedrockbatch/bedrockbatch/localrun"
)

func newLocalServeCmd() *cobra.Command {
	var (
		f        cloudFlags
		addr     string
		assembly string
		appCmd   string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the local cloud on one port for the AWS SDKs and CLI (AWS_ENDPOINT_URL=http://127.0.0.1:4566)",
		Long: `Serves S3, Bedrock (batch jobs), Step Functions, EventBridge, Lambda and
DynamoDB on one port, speaking their wire protocols: point any AWS SDK or the AWS CLI at
it with AWS_ENDPOINT_URL and any credentials. State is kept in --data, so a
restart loses nothing and resumes running jobs and executions.

With --app or --assembly, the app is deployed first, so its state machine
and functions run.`,
		Example: `  bedrockbatch local serve
  bedrockbatch local serve --app "go run ./examples/minimal"
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 aws s3 ls`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serveLocal(ctx, cmd.OutOrStdout(), &f, addr, assembly, appCmd)
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:4566", "address to listen on")
	cmd.Flags().StringVar(&assembly, "assembly", "", "cloud assembly (cdk.out) to deploy before serving")
	cmd.Flags().StringVar(&appCmd, "app", "", "command that synthesizes a CDK app to deploy before serving (\"\" with --assembly unset: deploy nothing)")
	return cmd
}

func serveLocal(ctx context.Context, out io.Writer, f *cloudFlags, addr, assembly, appCmd string) error {
	if appCmd != "" {
		if assembly == "" {
			assembly = localrun.AssemblyDir(f.dataDir)
		}
		if err := localrun.Synthesize(ctx, appCmd, assembly, localrun.LocalContext()); err != nil {
			return err
		}
	}
	logs, logPath, closeLogs, err := f.logSink()
	if err != nil {
		return err
	}
	defer closeLogs()
	opts, err := f.options(logs)
	if err != nil {
		return err
	}
	cloud, res, err := localrun.Open(ctx, opts, assembly)
	if err != nil {
		return err
	}
	defer cloud.Close()
	if assembly != "" {
		newPrinter(out, false).deployReport(res)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (another local cloud running? choose another --addr)", addr, err)
	}
	if err := cloud.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "local cloud serving on http://%s (data in %s)\n", ln.Addr(), f.dataDir)
	fmt.Fprintf(out, "  export AWS_ENDPOINT_URL=http://%s AWS_REGION=%s AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local\n",
		ln.Addr(), cloud.Options().Region)
	fmt.Fprintf(out, "  console: http://%s%s\n", ln.Addr(), console.Path)
	if logPath != "" {
		fmt.Fprintf(out, "  service logs: %s\n", logPath)
	}
	err = cloud.Serve(ctx, ln)
	if ctx.Err() != nil {
		return nil
	}
	return err
}
