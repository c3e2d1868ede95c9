// Package cost estimates what Bedrock batch inference costs, and what the
// same tokens would cost on demand, from a price table that ships with the
// project (with the date its prices were checked) and that a file can
// replace. Usage comes from figures, from manifests (tokens estimated per
// record) or from finished jobs (their manifest.json.out token counts).
package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/bedrockbatch/bedrockbatch/model"
)

//go:embed prices.json
var defaultPrices []byte

// Price is one model's price per 1,000 tokens.
type Price struct {
	// ID is the foundation model id the price is for; an inference
	// profile id or ARN of the model finds it too.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Input and Output are on-demand prices per 1,000 tokens.
	Input  float64 `json:"input"`
	Output float64 `json:"output"`
	// BatchInput and BatchOutput are batch prices per 1,000 tokens; when
	// absent they are the on-demand prices times the table's discount.
	BatchInput  *float64 `json:"batchInput,omitempty"`
	BatchOutput *float64 `json:"batchOutput,omitempty"`
	// Verified is false for a figure that could not be confirmed on the
	// date the table was checked.
	Verified bool   `json:"verified"`
	Note     string `json:"note,omitempty"`
}

// Table is a price table.
type Table struct {
	Checked  string `json:"checked"`
	Region   string `json:"region"`
	Currency string `json:"currency"`
	Unit     string `json:"unit,omitempty"`
	Sources  string `json:"sources,omitempty"`
	// BatchDiscount is the batch price as a share of on-demand (0.5).
	BatchDiscount float64 `json:"batchDiscount"`
	Models        []Price `json:"models"`
}

// Default is the table that ships with the project.
func Default() *Table {
	t, err := parseTable(defaultPrices, "the built-in price table")
	if err != nil {
		panic(err)
	}
	return t
}

// LoadTable reads a price table in the format of the built-in one (see
// prices.json in this package), for prices of another region, date or
// agreement.
func LoadTable(path string) (*Table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("price table: %w", err)
	}
	return parseTable(b, path)
}

func parseTable(b []byte, name string) (*Table, error) {
	var t Table
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %v; it must be a JSON object like the built-in table", name, err)
	}
	if t.Checked == "" {
		return nil, fmt.Errorf("%s: no \"checked\" date: say when the prices were checked", name)
	}
	if t.BatchDiscount <= 0 || t.BatchDiscount > 1 {
		return nil, fmt.Errorf("%s: batchDiscount %v: give the batch price as a share of on-demand, e.g. 0.5", name, t.BatchDiscount)
	}
	seen := map[string]bool{}
	for i, p := range t.Models {
		if p.ID == "" {
			return nil, fmt.Errorf("%s: model %d has no id", name, i+1)
		}
		if seen[p.ID] {
			return nil, fmt.Errorf("%s: model %s appears twice", name, p.ID)
		}
		seen[p.ID] = true
		if p.Input < 0 || p.Output < 0 || (p.BatchInput != nil && *p.BatchInput < 0) || (p.BatchOutput != nil && *p.BatchOutput < 0) {
			return nil, fmt.Errorf("%s: model %s has a negative price", name, p.ID)
		}
	}
	return &t, nil
}

// Lookup finds the price of a model id, inference profile id or ARN.
func (t *Table) Lookup(modelID string) (Price, error) {
	base := model.ParseID(modelID).Base()
	// Context-length variants ("amazon.nova-pro-v1:0:300k") cost the same.
	if i := strings.Index(base, ":"); i >= 0 {
		if j := strings.Index(base[i+1:], ":"); j >= 0 {
			base = base[:i+1+j]
		}
	}
	for _, p := range t.Models {
		if p.ID == base {
			return p, nil
		}
	}
	ids := make([]string, len(t.Models))
	for i, p := range t.Models {
		ids[i] = p.ID
	}
	sort.Strings(ids)
	return Price{}, fmt.Errorf("no price for model %s in the price table (checked %s): give a price table file with it; the table has %s", modelID, t.Checked, strings.Join(ids, ", "))
}

// Usage is what a batch uses.
type Usage struct {
	Records      int64 `json:"records"`
	InputTokens  int64 `json:"inputTokens"`
	OutputTokens int64 `json:"outputTokens"`
	// OutputIsLimit says the output tokens are the records' token limits,
	// an upper bound, because no better figure was given.
	OutputIsLimit bool `json:"outputIsLimit,omitempty"`
	// Source says where the figures come from.
	Source string `json:"source"`
}

// PerRecord is usage given as figures per record.
func PerRecord(records, inputTokens, outputTokens int64) (Usage, error) {
	if records <= 0 || inputTokens < 0 || outputTokens < 0 {
		return Usage{}, fmt.Errorf("records (%d) must be positive and tokens per record (%d in, %d out) not negative", records, inputTokens, outputTokens)
	}
	return Usage{Records: records, InputTokens: records * inputTokens, OutputTokens: records * outputTokens, Source: "figures"}, nil
}

// Estimate is the cost of some usage on one model.
type Estimate struct {
	ModelID string `json:"modelId"`
	Price   Price  `json:"price"`
	Usage   Usage  `json:"usage"`
	// Batch and OnDemand are the costs in the table's currency; Savings
	// is their difference.
	Batch    float64 `json:"batch"`
	OnDemand float64 `json:"onDemand"`
	Savings  float64 `json:"savings"`
	// BatchInputPrice and BatchOutputPrice are the batch prices per 1,000
	// tokens applied.
	BatchInputPrice  float64 `json:"batchInputPrice"`
	BatchOutputPrice float64 `json:"batchOutputPrice"`
	Checked          string  `json:"checked"`
	Region           string  `json:"region"`
	Currency         string  `json:"currency"`
}

// Estimate prices usage on a model.
func (t *Table) Estimate(modelID string, u Usage) (Estimate, error) {
	p, err := t.Lookup(modelID)
	if err != nil {
		return Estimate{}, err
	}
	bin, bout := p.Input*t.BatchDiscount, p.Output*t.BatchDiscount
	if p.BatchInput != nil {
		bin = *p.BatchInput
	}
	if p.BatchOutput != nil {
		bout = *p.BatchOutput
	}
	e := Estimate{ModelID: modelID, Price: p, Usage: u, BatchInputPrice: bin, BatchOutputPrice: bout, Checked: t.Checked, Region: t.Region, Currency: t.Currency}
	e.OnDemand = money(float64(u.InputTokens)/1000*p.Input + float64(u.OutputTokens)/1000*p.Output)
	e.Batch = money(float64(u.InputTokens)/1000*bin + float64(u.OutputTokens)/1000*bout)
	e.Savings = money(e.OnDemand - e.Batch)
	return e, nil
}

// money rounds away the floating-point noise of a sum of products, keeping
// far more precision than a cent.
func money(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// BatchCost is the batch cost of a job's tokens on modelID; ok is false for
// a model the table has no price for. It lets the table price jobs where
// only token counts are known, such as the local cloud's console.
func (t *Table) BatchCost(modelID string, inputTokens, outputTokens int64) (usd float64, ok bool) {
	e, err := t.Estimate(modelID, Usage{InputTokens: inputTokens, OutputTokens: outputTokens})
	if err != nil {
		return 0, false
	}
	return e.Batch, true
}
