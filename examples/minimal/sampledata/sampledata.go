// Package sampledata holds the bundled input of the minimal example: two
// Bedrock batch manifests of customer-review prompts for Amazon Nova
// (1,000 records in all), which `bedrockbatch local run` uploads when no
// --input is given.
package sampledata

import "embed"

// FS holds manifest-1.jsonl and manifest-2.jsonl.
//
//go:embed *.jsonl
var FS embed.FS

// ModelID is the model the bundled records are written for.
const ModelID = "amazon.nova-pro-v1:0"
