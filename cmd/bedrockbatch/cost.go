package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/bedrockbatch/bedrockbatch/batch"
	"github.com/bedrockbatch/bedrockbatch/cost"
	"github.com/bedrockbatch/bedrockbatch/table"
)

func newCostCmd() *cobra.Command {
	var (
		modelID      string
		prices       string
		records      int64
		inputTokens  int64
		outputTokens int64
		converse     bool
		jsonOut      bool // profileModel is --profile-model.
		profileModel string
	)
	cmd := &cobra.Command{
		Use:   "cost [MANIFESTS|OUTPUTS...] --model MODEL",
		Short: "What a batch costs, batch and on-demand side by side",
		Long: `cost prices a batch on a model, at the batch price and at the on-demand
price, from:
  - figures per record: --records N --input-tokens N --output-tokens N;
  - manifests (files, directories or s3:// prefixes): input tokens are
    estimated per record; output tokens are --output-tokens per record, or
    else each record's token limit (an upper bound);
  - finished jobs: their manifest.json.out token counts.
Prices come from the table that ships with bedrockbatch (us-east-1, with the
date they were checked) or from --prices FILE in the same JSON format.`,
		Example: `  bedrockbatch cost --records 30000 --input-tokens 10000 --output-tokens 1000 --model amazon.nova-pro-v1:0
  bedrockbatch cost manifests/ --model amazon.nova-pro-v1:0 --output-tokens 300
  bedrockbatch cost s3://batch/output/reviews/ --model amazon.nova-pro-v1:0`,
		RunE: func(cmd *cobra.Command, args []string) error {
			tab := cost.Default()
			if prices != "" {
				var err error
				if tab, err = cost.LoadTable(prices); err != nil {
					return err
				}
			}
			invocation := ""
			if converse {
				invocation = batch.InvocationConverse
			}
			behind, err := modelBehind(cmd.Context(), modelID, profileModel)
			if err != nil {
				return err
			}
			var u cost.Usage
			switch {
			case len(args) > 0 && (records > 0 || inputTokens > 0):
				return errors.New("give either manifests or outputs, or --records with --input-tokens and --output-tokens, not both")
			case len(args) > 0:
				u, err = cost.FromPaths(cmd.Context(), &table.Store{}, args, behind, invocation, int(outputTokens))
			case records > 0:
				u, err = cost.PerRecord(records, inputTokens, outputTokens)
			default:
				return errors.New("nothing to price: give manifests, finished jobs' outputs, or --records N --input-tokens N --output-tokens N (tokens per record)")
			}
			if err != nil {
				return err
			}
			e, err := tab.Estimate(behind, u)
			if err != nil {
				return err
			}
			// Priced as the model behind it, named as given.
			e.ModelID = modelID
			if jsonOut {
				return printJSON(cmd.OutOrStdout(), e)
			}
			printCost(cmd, e)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&modelID, "model", "", "model id or inference profile (required)")
	registerProfileModel(fs, &profileModel)
	fs.StringVar(&prices, "prices", "", "price table file (JSON, the format of the built-in table) instead of the built-in one")
	fs.Int64Var(&records, "records", 0, "number of records")
	fs.Int64Var(&inputTokens, "input-tokens", 0, "input tokens per record")
	fs.Int64Var(&outputTokens, "output-tokens", 0, "output tokens per record")
	fs.BoolVar(&converse, "converse", false, "the manifests hold Converse requests")
	fs.BoolVar(&jsonOut, "json", false, "print the estimate as JSON")
	cmd.MarkFlagRequired("model")
	return cmd
}

func printCost(cmd *cobra.Command, e cost.Estimate) {
	w := cmd.OutOrStdout()
	name := e.Price.Name
	if name == "" {
		name = e.Price.ID
	}
	fmt.Fprintf(w, "%s (%s), %s prices checked %s\n", name, e.ModelID, e.Region, e.Checked)
	upTo := ""
	if e.Usage.OutputIsLimit {
		upTo = "up to "
	}
	fmt.Fprintf(w, "  %d records: %d input and %s%d output tokens (%s)\n", e.Usage.Records, e.Usage.InputTokens, upTo, e.Usage.OutputTokens, e.Usage.Source)
	fmt.Fprintf(w, "  batch      %10s   (%s in, %s out per 1,000 tokens)\n", dollars(e.Batch), price(e.BatchInputPrice), price(e.BatchOutputPrice))
	fmt.Fprintf(w, "  on-demand  %10s   (%s in, %s out per 1,000 tokens)\n", dollars(e.OnDemand), price(e.Price.Input), price(e.Price.Output))
	if e.OnDemand > 0 {
		fmt.Fprintf(w, "  saving     %10s   (%.0f%%)\n", dollars(e.Savings), 100*e.Savings/e.OnDemand)
	}
	if !e.Price.Verified {
		fmt.Fprintln(w, "  note: this model's price could not be verified when the table was checked; confirm it or give --prices")
	}
	if e.Price.Note != "" {
		fmt.Fprintf(w, "  note: %s\n", e.Price.Note)
	}
}

func price(p float64) string { return "$" + strconv.FormatFloat(p, 'f', -1, 64) }

// dollars shows cents, and four decimals for amounts under a dollar.
func dollars(x float64) string {
	if x > 0 && x < 1 {
		return fmt.Sprintf("$%.4f", x)
	}
	return fmt.Sprintf("$%.2f", x)
}
