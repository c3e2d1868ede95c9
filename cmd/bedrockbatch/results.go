package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bedrockbatch/bedrockbatch/manifest"
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
a row whose record has no output line is kept, with status "missing".
With --manifests (the input manifests the jobs ran) every input record is
accounted for in every format: answered, errored (Bedrock's code and
message) or missing (never ran), and the totals are held to each job's
manifest.json.out. --format openai writes OpenAI Batch API output lines
instead (a request that never ran gets an error line, as OpenAI writes one).
--failed DIR writes manifests of the records to run again, errored and
missing, each file with at least the per-job minimum where there are
enough. The exit status is 1 when records are missing, unless
--allow-missing.

The result columns are record_id, status, output (or embedding),
input_tokens, output_tokens, stop_reason, error_code and error_message. A
source column of the same name keeps its name and the result column takes
the prefix bedrock_ (repeated until the name is free: status becomes
bedrock_status). A token count the model's response does not report
(Mistral, Cohere Embed) is empty, not 0. --format openai reports --model as
each body's model, or without it the model an Anthropic response names; the
other families' responses name none, so give --model for them.`,
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
			w := cmd.OutOrStdout()
			if jsonOut {
				if perr := printJSON(w, res); perr != nil {
					return perr
				}
				return err
			}
			if err != nil && !errors.Is(err, results.ErrMissingRecords) {
				return err
			}
			fmt.Fprintf(w, "Read %d records from %d output files: %d succeeded, %d failed; %d input and %d output tokens\n",
				res.Records, res.Files, res.Succeeded, res.Failed, res.InputTokens, res.OutputTokens)
			if res.Expected > 0 {
				fmt.Fprintf(w, "Input records: %d = %d answered + %d errored + %d missing (never ran)\n", res.Expected, res.Succeeded, res.Failed, res.Missing)
			}
			if res.Summary != nil {
				fmt.Fprintf(w, "Jobs' %s (%d): %s\n", manifest.SummaryName, res.Jobs, res.Summary)
			}
			if opts.Join != "" {
				fmt.Fprintf(w, "Joined to %d rows of %s", res.Rows, opts.Join)
				if res.Missing > 0 {
					fmt.Fprintf(w, "; %d records have no output line (status missing, their error column says why)", res.Missing)
				}
				if res.Orphans > 0 {
					fmt.Fprintf(w, "; %d records match no row (written last, without source columns)", res.Orphans)
				}
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "Wrote %s (%s)\n", res.Out, res.Format)
			if len(res.FailedFiles) > 0 {
				fmt.Fprintf(w, "Records to run again: %d errored and %d missing, in %s\n", res.FailedErrored, res.FailedMissing, strings.Join(res.FailedFiles, ", "))
			}
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Out, "out", "", "file to write (.csv, .jsonl or .parquet; local or s3://) (required)")
	fs.StringVar(&opts.Format, "format", "", "output format: csv, jsonl, parquet or openai (default: from --out's extension)")
	fs.StringVar(&opts.Join, "join", "", "source table the records were prepared from, to join each row to its results")
	fs.StringVar(&opts.JoinFormat, "join-format", "", "format of the --join table (default: from its extension)")
	fs.StringVar(&opts.IDColumn, "id-column", "", "column of record ids in the --join table, as given to prepare (default: ids from the row numbers)")
	fs.IntVar(&opts.Templates, "templates", 0, "prompt templates per row given to prepare (default: told from the ids)")
	fs.StringVar(&opts.Manifests, "manifests", "", "the input manifests the jobs ran (directory, s3:// prefix or file): every input record is then accounted for, and one that never ran is reported as missing")
	fs.StringVar(&opts.Failed, "failed", "", "directory or s3:// prefix for manifests of the records to run again (errored, and missing ones with --manifests)")
	fs.BoolVar(&opts.AllowMissing, "allow-missing", false, "exit 0 even when records never ran (they are still reported)")
	fs.StringVar(&opts.ModelID, "model", "", "model id reported in OpenAI output bodies (default: the model an Anthropic response names; the other families' responses name none, so give it)")
	fs.StringVar(&opts.TempDir, "tmp", "", "directory for the join's partition files (default: the system's temporary directory)")
	fs.BoolVar(&jsonOut, "json", false, "print the result as JSON")
	cmd.MarkFlagRequired("out")
	return cmd
}
