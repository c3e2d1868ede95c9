package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/validate"
)

func newValidateCmd() *cobra.Command {
	var (
		opts     validate.Options
		converse bool
		quotas   quotaFlags
		jsonOut  bool
		// profileModel is --profile-model.
		profileModel string
	)
	cmd := &cobra.Command{
		Use:   "validate MANIFESTS... --model MODEL",
		Short: "Check manifests for everything Bedrock would reject, before a job costs anything",
		Long: `validate reads manifests (files, directories or s3:// prefixes; each file
is one job) and reports, with file and line, what Bedrock would reject: lines
that are not records, duplicate record ids, files and jobs outside the quotas,
request bodies the model's family refuses, Converse requests with a modelId,
and names Bedrock refuses in S3 keys. The exit status is 1 when anything is
found.`,
		Example: `  bedrockbatch validate manifests/ --model amazon.nova-pro-v1:0
  bedrockbatch validate s3://batch/input/reviews/ --model us.anthropic.claude-3-5-haiku-20241022-v1:0 --json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			opts.Limits = quotas.limits()
			if converse {
				opts.InvocationType = batch.InvocationConverse
			}
			given := opts.ModelID
			behind, err := modelBehind(cmd.Context(), given, profileModel)
			if err != nil {
				return err
			}
			opts.ModelID = behind
			b := newBars(jsonOut)
			opts.Progress = func(done, total int64) { b.set("checked", done, total, true) }
			rep, err := validate.Run(cmd.Context(), opts)
			b.wait()
			rep.ModelID = given
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if jsonOut {
				if err := printJSON(w, rep); err != nil {
					return err
				}
			} else {
				for _, f := range rep.Files {
					status := "ok"
					if n := len(f.Problems) + f.More; n > 0 {
						status = fmt.Sprintf("%d problems", n)
					}
					fmt.Fprintf(w, "%s: %d records, %s: %s\n", f.Path, f.Records, humanBytes(f.Bytes), status)
					for _, p := range f.Problems {
						fmt.Fprintf(w, "  %s\n", p)
					}
					if f.More > 0 {
						fmt.Fprintf(w, "  … and %d more\n", f.More)
					}
				}
			}
			if !rep.OK() {
				return &exitError{code: 1, err: fmt.Errorf("%d problems in %d records of %d files: Bedrock would reject them; fix them and validate again", rep.Problems, rep.Records, len(rep.Files))}
			}
			if !jsonOut {
				fmt.Fprintf(w, "All %d files (%d records) would be accepted for %s\n", len(rep.Files), rep.Records, rep.ModelID)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.ModelID, "model", "", "model id or inference profile the jobs run on (required)")
	registerProfileModel(fs, &profileModel)
	fs.BoolVar(&converse, "converse", false, "check Converse requests, for a job whose invocation type is Converse")
	fs.IntVar(&opts.MaxProblems, "max-problems", 20, "problems shown per file")
	fs.BoolVar(&jsonOut, "json", false, "print the report as JSON")
	quotas.register(fs)
	cmd.MarkFlagRequired("model")
	return cmd
}
