package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bedrockbatch/bedrockbatch/results"
)

func newResultsCmd() *cobra.Command {
	var (
		opts    results.Options
		jsonOut bool
	)
	cmd := &cobra.Command{
		Use:   "results OUTPUTS --out FILE",
		Short: "Turn jobs' .jsonl.out files into a table joined to the source rows, or OpenAI batch output",
		Long: `results reads the .jsonl.out files of batch jobs (a directory, an s3://
prefix or one file) and writes a table (.csv, .jsonl, .parquet) with each
record's text or embedding, token counts, stop reason and error. With --join
it adds the source table's columns, row by row in the source's order, using
the same record ids as prepare (--id-column, or ids from the row numbers);
a row whose record has no output line is kept, with an error saying so.
--format openai writes OpenAI Batch API output lines instead. --failed DIR
writes failed.jsonl, a manifest of the failed records to run again.`,
		Example: `  bedrockbatch results .bedrockbatch/s3/my-bucket/output/reviews/ --join reviews.csv --out results.parquet
  bedrockbatch results s3://batch/output/reviews/ --join s3://data/reviews.csv --id-column review_id --out s3://data/results.csv --failed retry/
  bedrockbatch results out/ --format openai --model us.amazon.nova-lite-v1:0 --out openai-results.jsonl`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Outputs = args[0]
			b := newBars(jsonOut)
			opts.Progress = func(done, total int64) { b.set("outputs read", done, total, true) }
			res, err := results.Run(cmd.Context(), opts)
			b.wait()
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if jsonOut {
				return printJSON(w, res)
			}
			fmt.Fprintf(w, "Read %d records from %d output files: %d succeeded, %d failed; %d input and %d output tokens\n",
				res.Records, res.Files, res.Succeeded, res.Failed, res.InputTokens, res.OutputTokens)
			if opts.Join != "" {
				fmt.Fprintf(w, "Joined to %d rows of %s", res.Rows, opts.Join)
				if res.Missing > 0 {
					fmt.Fprintf(w, "; %d rows have no output line (their error column says so)", res.Missing)
				}
				if res.Orphans > 0 {
					fmt.Fprintf(w, "; %d records match no row (written last, without source columns)", res.Orphans)
				}
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "Wrote %s (%s)\n", res.Out, res.Format)
			if res.FailedFile != "" {
				fmt.Fprintf(w, "Failed records to run again: %s (%d records)\n", res.FailedFile, res.Failed)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Out, "out", "", "file to write (.csv, .jsonl or .parquet; local or s3://) (required)")
	fs.StringVar(&opts.Format, "format", "", "output format: csv, jsonl, parquet or openai (default: from --out's extension)")
	fs.StringVar(&opts.Join, "join", "", "source table the records were prepared from, to join each row to its results")
	fs.StringVar(&opts.JoinFormat, "join-format", "", "format of the --join table (default: from its extension)")
	fs.StringVar(&opts.IDColumn, "id-column", "", "column of record ids in the --join table, as given to prepare (default: ids from the row numbers)")
	fs.IntVar(&opts.Templates, "templates", 0, "prompt templates per row given to prepare (default: told from the ids)")
	fs.StringVar(&opts.Failed, "failed", "", "directory or s3:// prefix to write failed.jsonl, a manifest of the failed records")
	fs.StringVar(&opts.ModelID, "model", "", "model id reported in OpenAI output bodies")
	fs.StringVar(&opts.TempDir, "tmp", "", "directory for the join's partition files (default: the system's temporary directory)")
	fs.BoolVar(&jsonOut, "json", false, "print the result as JSON")
	cmd.MarkFlagRequired("out")
	return cmd
}
