package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/manifest"
	"github.com/bedrockbatch/bedrockbatch/prepare"
)

func newPrepareCmd() *cobra.Command {
	var (
		opts         prepare.Options
		prompts      []string
		promptFiles  []string
		temperature  float64
		topP         float64
		converse     bool
		quotas       quotaFlags
		jsonOut      bool // profileModel is --profile-model.
		profileModel string
	)
	cmd := &cobra.Command{
		Use:   "prepare INPUT --model MODEL --out DIR|s3://BUCKET/PREFIX/",
		Short: "Turn a table (.csv, .jsonl, .parquet) or an OpenAI batch file into Bedrock batch manifests, split within the quotas",
		Long: `prepare reads a table, local or on S3, and writes Bedrock batch manifests:
one record per row and prompt template, in the request format of the model's
family (Anthropic, Nova, Titan, Llama, Mistral, Cohere Embed) or as Converse
requests, spread over files of one job each within the quotas.

Prompts are Go templates over the row's columns: --prompt 'Summarize: {{.review}}'
({{index . "column name"}} for names with spaces). Several --prompt or
--prompt-file make one record per template (ids end in -001, -002, …);
with --template-column each row uses the prompt file its cell names.

--format openai reads an OpenAI Batch API file (chat completions or
embeddings) instead, and --format anthropic an Anthropic Message Batches
request file, keeping each custom_id as the record id.`,
		Example: `  bedrockbatch prepare reviews.csv --model amazon.nova-pro-v1:0 --prompt 'Summarize: {{.text}}' --out manifests/
  bedrockbatch prepare s3://data/reviews.parquet --model anthropic.claude-3-5-haiku-20241022-v1:0 \
      --prompt-file prompts/summary.tmpl --prompt-file prompts/grade.tmpl --template-column task \
      --id-column review_id --system 'You are a careful reader.' --max-tokens 300 --out s3://batch/input/reviews/
  bedrockbatch prepare batch.jsonl --format openai --model us.amazon.nova-lite-v1:0 --out manifests/
  bedrockbatch prepare requests.jsonl --format anthropic --model us.anthropic.claude-3-5-haiku-20241022-v1:0 --out manifests/`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Input = args[0]
			for _, p := range prompts {
				opts.Templates = append(opts.Templates, prepare.Template{Text: p})
			}
			for _, f := range promptFiles {
				t, err := prepare.TemplateFile(f)
				if err != nil {
					return err
				}
				opts.Templates = append(opts.Templates, t)
			}
			if cmd.Flags().Changed("temperature") {
				opts.Temperature = &temperature
			}
			if cmd.Flags().Changed("top-p") {
				opts.TopP = &topP
			}
			if converse {
				opts.InvocationType = batch.InvocationConverse
			}
			opts.Limits = quotas.limits()
			given := opts.ModelID
			behind, err := modelBehind(cmd.Context(), given, profileModel)
			if err != nil {
				return err
			}
			opts.ModelID = behind
			b := newBars(jsonOut)
			opts.Progress = func(p prepare.Progress) {
				if p.Phase == "read" {
					b.set("rows read", p.Done, p.Total, false)
				} else {
					b.set("manifests", p.Done, p.Total, true)
				}
			}
			res, err := prepare.Run(cmd.Context(), opts)
			b.wait()
			if err != nil {
				return err
			}
			// The jobs run with the id as given; only the request format
			// came from the model behind it.
			res.ModelID, opts.ModelID = given, given
			if jsonOut {
				return printJSON(cmd.OutOrStdout(), res)
			}
			printPrepared(cmd, res, opts, quotas.changed(cmd.Flags()), profileModel, behind)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.ModelID, "model", "", "model id or inference profile the jobs run on (required); it chooses the request format")
	registerProfileModel(fs, &profileModel)
	fs.StringVar(&opts.Out, "out", "", "directory or s3:// prefix to write the manifests to (required)")
	fs.StringVar(&opts.Encoding, "encoding", "", "character encoding of a CSV or JSON Lines input (windows-1252, latin1, shift_jis, utf-16le, …; default UTF-8, where other bytes are an error naming the row)")
	fs.StringVar(&opts.Format, "format", "", "input format: csv, jsonl, parquet, openai or anthropic (default: from the file extension)")
	fs.StringArrayVar(&prompts, "prompt", nil, "prompt template over the row's columns, e.g. 'Summarize: {{.text}}'; repeat for several records per row")
	fs.StringArrayVar(&promptFiles, "prompt-file", nil, "file holding a prompt template, named after the file for --template-column; repeatable")
	fs.StringVar(&opts.TemplateColumn, "template-column", "", "column whose cell names the prompt file (without extension) each row uses")
	fs.StringVar(&opts.System, "system", "", "system prompt, a template like the prompts")
	fs.IntVar(&opts.MaxTokens, "max-tokens", 0, "most tokens per answer (default: the family's default, 512)")
	fs.Float64Var(&temperature, "temperature", 0, "sampling temperature (default: the model's)")
	fs.Float64Var(&topP, "top-p", 0, "nucleus sampling top-p (default: the model's)")
	fs.BoolVar(&converse, "converse", false, "write Converse requests, for a job whose invocation type is Converse")
	fs.StringVar(&opts.IDColumn, "id-column", "", "column holding unique record ids (default: ids generated from the row numbers)")
	fs.StringVar(&opts.Name, "name", "", "start of each manifest's file name (default: the input's name)")
	fs.IntVar(&opts.RecordsPerJob, "records-per-job", 0, "records per job asked for (default: as many as the quotas allow)")
	fs.IntVar(&opts.MaxRecordsPerJob, "max-records-per-job", manifest.DefaultMaxRecordsPerJob, "quota: the most records one job may have")
	fs.IntVar(&opts.MaxConcurrentJobs, "max-concurrent-jobs", manifest.DefaultMaxConcurrentJobs, "quota: submitted and running jobs per model at once")
	fs.StringVar(&opts.TempDir, "tmp", "", "directory for the spool file (default: the system's temporary directory)")
	fs.BoolVar(&opts.Clamp, "clamp", false, "OpenAI input: clamp a temperature, top_p or max_tokens outside the model's range into it, with a warning, instead of refusing the request")
	fs.BoolVar(&opts.DropUnsupported, "drop-unsupported", false, "OpenAI input: drop parameters with no Bedrock meaning for the model (tools, response_format, n > 1, seed, logprobs, stop for Llama's InvokeModel, …), with a warning, instead of refusing the request")
	fs.BoolVar(&jsonOut, "json", false, "print the result as JSON (warnings included)")
	quotas.register(fs)
	cmd.MarkFlagRequired("model")
	cmd.MarkFlagRequired("out")
	return cmd
}

// printPrepared says what prepare wrote and what to run next; quotas are
// the non-default quota flags, which the next commands need as well, as
// does --profile-model; local run learns an application inference
// profile's model (behind) from --inference-profile.
func printPrepared(cmd *cobra.Command, res prepare.Result, opts prepare.Options, quotas, profileModel, behind string) {
	w := cmd.OutOrStdout()
	for _, warn := range res.Warnings {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s\n", warn)
	}
	fmt.Fprintf(w, "Prepared %d records from %d rows of %s for %s (%s, %s)\n", res.Records, res.Rows, res.Input, res.ModelID, res.Family, res.InvocationType)
	for _, f := range res.Files {
		fmt.Fprintf(w, "  %s  %d records, %s\n", f.Path, f.Records, humanBytes(f.Bytes))
	}
	fmt.Fprintf(w, "%d jobs of up to %d records", len(res.Files), res.Plan.RecordsPerFile)
	if res.Waves > 1 {
		fmt.Fprintf(w, "; the concurrency quota runs them in %d waves\n", res.Waves)
	} else {
		fmt.Fprintln(w, "; all can run at once")
	}
	modelArgs := res.ModelID
	if profileModel != "" {
		modelArgs += " --profile-model " + profileModel
	}
	fmt.Fprintf(w, "Next: bedrockbatch validate %s --model %s%s; bedrockbatch cost %s --model %s\n", opts.Out, modelArgs, quotas, opts.Out, modelArgs)
	if _, err := os.Stat(opts.Out); err == nil {
		localArgs := res.ModelID
		if behind != res.ModelID {
			localArgs += " --inference-profile " + res.ModelID + "=" + behind
		}
		fmt.Fprintf(w, "      bedrockbatch local run --input %s --model %s\n", opts.Out, localArgs)
	}
}
