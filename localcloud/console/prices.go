package console

// Prices gives the batch cost in US dollars of a job's tokens; ok is false
// for a model without a known price. The price table of package cost
// (cost.Default(), or one loaded from a file) is one.
type Prices interface {
	BatchCost(modelID string, inputTokens, outputTokens int64) (usd float64, ok bool)
}
