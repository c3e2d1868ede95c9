package console

import "strings"

// Prices gives the batch cost in US dollars of a job's tokens; ok is false
// for a model without a known price.
type Prices interface {
	BatchCost(modelID string, inputTokens, outputTokens int64) (usd float64, ok bool)
}

// Price is a model's on-demand price in US dollars per 1,000 tokens.
type Price struct {
	Input, Output float64
}

// PriceTable prices models by id; the batch price is half the on-demand
// price, as Bedrock charges it.
type PriceTable map[string]Price

// DefaultPrices are on-demand prices in us-east-1, checked 2026-12-04.
var DefaultPrices = PriceTable{
	"amazon.nova-pro-v1:0":                      {Input: 0.0008, Output: 0.0032},
	"amazon.nova-lite-v1:0":                     {Input: 0.00006, Output: 0.00024},
	"amazon.nova-micro-v1:0":                    {Input: 0.000035, Output: 0.00014},
	"anthropic.claude-3-haiku-20240307-v1:0":    {Input: 0.00025, Output: 0.00125},
	"anthropic.claude-3-5-haiku-20241022-v1:0":  {Input: 0.0008, Output: 0.004},
	"anthropic.claude-3-5-sonnet-20240620-v1:0": {Input: 0.003, Output: 0.015},
}

// BatchCost prices tokens at half the on-demand price. An inference
// profile (us.amazon.nova-pro-v1:0) or a model ARN costs what its model
// does.
func (t PriceTable) BatchCost(modelID string, inputTokens, outputTokens int64) (float64, bool) {
	id := modelID[strings.LastIndexByte(modelID, '/')+1:]
	p, ok := t[id]
	if !ok {
		if _, rest, cut := strings.Cut(id, "."); cut {
			p, ok = t[rest]
		}
	}
	if !ok {
		return 0, false
	}
	return (float64(inputTokens)*p.Input + float64(outputTokens)*p.Output) / 1000 / 2, true
}
