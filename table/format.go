package table

import (
	"fmt"
	"path"
	"strings"
)

// Format is a table's file format.
type Format string

// The formats a table can have.
const (
	CSV     Format = "csv"
	JSONL   Format = "jsonl"
	Parquet Format = "parquet"
)

// FormatOf returns the format named by override, or else the one of the
// file's extension (.csv; .jsonl, .ndjson or .json for JSON Lines;
// .parquet).
func FormatOf(file, override string) (Format, error) {
	name := override
	if name == "" {
		name = strings.TrimPrefix(strings.ToLower(path.Ext(file)), ".")
		if name == "" {
			return "", fmt.Errorf("%s: no file extension to tell its format: name it .csv, .jsonl or .parquet, or give the format", file)
		}
	}
	switch strings.ToLower(name) {
	case "csv":
		return CSV, nil
	case "jsonl", "ndjson", "json":
		return JSONL, nil
	case "parquet", "pq":
		return Parquet, nil
	}
	if override != "" {
		return "", fmt.Errorf("format %q: use csv, jsonl or parquet", override)
	}
	return "", fmt.Errorf("%s: extension .%s is not a table format: use .csv, .jsonl or .parquet, or give the format", file, name)
}
