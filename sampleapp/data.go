package sampleapp

import "embed"

// Data holds the bundled input: manifest-1.jsonl (520 records) and
// manifest-2.jsonl (480 records), customer-review prompts in the Amazon
// Nova request format, which `bedrockbatch local run` uploads when no
// --input is given.
//
//go:embed data/*.jsonl
var Data embed.FS

// DataDir is the directory of Data that holds the manifests.
const DataDir = "data"

// ModelID is the model the bundled records are written for.
const ModelID = "amazon.nova-pro-v1:0"
