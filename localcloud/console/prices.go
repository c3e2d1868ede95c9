package console

// Prices gives the batch cost in US dollars of a job's tokens; ok is false
// for a model without a known price. The console declares only this, so
// that the emulator does not depend on any price table: whoever opens the
// cloud passes one in (the CLI passes the price table of package cost).
type Prices interface {
	BatchCost(modelID string, inputTokens, outputTokens int64) (usd float64, ok bool)
}
