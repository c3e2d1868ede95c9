package asl

import (
	"sort"
	"strings"
)

// DistributedMap holds the fields of a Map state whose ItemProcessor runs
// in distributed mode (ProcessorConfig.Mode "DISTRIBUTED"): each item, or
// batch of items, runs as a child workflow execution.
type DistributedMap struct {
	// ExecutionType is the child workflows' type: "STANDARD" or "EXPRESS".
	ExecutionType string
	// Label names the Map Run in its ARN; default: the state's name.
	Label string
	// Reader reads the items from Amazon S3 instead of the state input.
	Reader *ItemReader
	// Batcher groups items into batches, one child workflow per batch.
	Batcher *ItemBatcher
	// Writer exports the child workflows' results to Amazon S3, or only
	// formats them (WriterConfig alone).
	Writer *ResultWriter

	// processor is the ItemProcessor as written and queryLanguage the Map
	// state's: together they are the definition the child workflow
	// executions run.
	processor     any
	queryLanguage string
}

// ItemReader is a distributed Map's ItemReader field.
type ItemReader struct {
	// Resource is "arn:aws:states:::s3:getObject" or
	// "arn:aws:states:::s3:listObjectsV2".
	Resource string
	// Parameters is the call's payload template (JSONPath mode) or its
	// Arguments (JSONata mode).
	Parameters any
	Config     ReaderConfig
}

// ReaderConfig is an ItemReader's ReaderConfig field.
type ReaderConfig struct {
	// InputType is CSV, JSON, JSONL, MANIFEST or PARQUET; empty for a
	// listObjectsV2 reader.
	InputType string
	// CSVHeaderLocation is FIRST_ROW (default) or GIVEN; CSVHeaders holds
	// the GIVEN headers.
	CSVHeaderLocation string
	CSVHeaders        []string
	// CSVDelimiter is COMMA (default), PIPE, SEMICOLON, SPACE or TAB.
	CSVDelimiter string
	// MaxItems limits how many items are read: a number, a JSONata
	// expression, or (MaxItemsPath) a path into the state input.
	MaxItems     any
	MaxItemsPath string
}

// ItemBatcher is a distributed Map's ItemBatcher field. The numeric fields
// hold a number or, in JSONata mode, an expression; the …Path fields a
// path into the state input.
type ItemBatcher struct {
	MaxItemsPerBatch          any
	MaxItemsPerBatchPath      string
	MaxInputBytesPerBatch     any
	MaxInputBytesPerBatchPath string
	// BatchInput is a payload template added to each batch as "BatchInput".
	BatchInput    any
	HasBatchInput bool
}

// ResultWriter is a distributed Map's ResultWriter field.
type ResultWriter struct {
	// Resource is "arn:aws:states:::s3:putObject", or empty when only
	// WriterConfig is given (the results are formatted, not exported).
	Resource   string
	Parameters any
	// OutputType is JSON or JSONL; Transformation NONE, COMPACT or
	// FLATTEN. Empty when WriterConfig is absent.
	OutputType     string
	Transformation string
}

// Resources of the Amazon S3 calls a distributed Map makes.
const (
	resourceS3GetObject      = "arn:aws:states:::s3:getObject"
	resourceS3ListObjectsV2  = "arn:aws:states:::s3:listObjectsV2"
	resourceS3PutObject      = "arn:aws:states:::s3:putObject"
	maxBatchBytes            = 256 * 1024
	maxReaderItems           = 100_000_000
	maxLabelLength           = 40
	labelForbiddenCharacters = " \t\n\r<>{}[]?*\"#%\\^|~`$&,;:/"
)

// processorMode reads an ItemProcessor's ProcessorConfig and returns its
// Mode (INLINE when absent) and ExecutionType.
func (p *parser) processorMode(w string, proc any) (mode, execType string) {
	mode = "INLINE"
	pm, ok := proc.(map[string]any)
	if !ok {
		return mode, ""
	}
	raw, ok := pm["ProcessorConfig"]
	if !ok {
		return mode, ""
	}
	pc, ok := raw.(map[string]any)
	if !ok {
		p.addf("%s: ItemProcessor ProcessorConfig must be an object", w)
		return mode, ""
	}
	for _, k := range sortedKeys(pc) {
		switch k {
		case "Mode":
			s, _ := pc[k].(string)
			if s != "INLINE" && s != "DISTRIBUTED" {
				p.addf("%s: ItemProcessor ProcessorConfig Mode must be \"INLINE\" or \"DISTRIBUTED\"", w)
				continue
			}
			mode = s
		case "ExecutionType":
			s, _ := pc[k].(string)
			if s != "STANDARD" && s != "EXPRESS" {
				p.addf("%s: ItemProcessor ProcessorConfig ExecutionType must be \"STANDARD\" or \"EXPRESS\"", w)
				continue
			}
			execType = s
		default:
			p.addf("%s: ItemProcessor ProcessorConfig: unknown field %q (want Mode, ExecutionType)", w, k)
		}
	}
	if mode == "DISTRIBUTED" && execType == "" {
		p.addf("%s: a distributed Map needs ItemProcessor ProcessorConfig ExecutionType (\"STANDARD\" or \"EXPRESS\")", w)
	}
	return mode, execType
}

// distributedFields parses the fields only a distributed Map may have and
// returns nil, after reporting any of them, for an inline Map.
func (p *parser) distributedFields(w string, m map[string]any, proc any, ql string) *DistributedMap {
	mode, execType := p.processorMode(w, proc)
	if mode != "DISTRIBUTED" {
		for _, f := range []string{"ItemReader", "ItemBatcher", "ResultWriter", "Label"} {
			if _, ok := m[f]; ok {
				p.addf("%s: %s is only allowed in a distributed Map (set ItemProcessor ProcessorConfig Mode to \"DISTRIBUTED\")", w, f)
			}
		}
		return nil
	}
	d := &DistributedMap{ExecutionType: execType, processor: proc, queryLanguage: ql}
	if v, ok := m["Label"]; ok {
		d.Label, _ = v.(string)
		p.checkLabel(w, v)
	}
	if v, ok := m["ItemReader"]; ok {
		d.Reader = p.itemReader(w, v, ql)
	}
	if v, ok := m["ItemBatcher"]; ok {
		d.Batcher = p.itemBatcher(w, v, ql)
	}
	if v, ok := m["ResultWriter"]; ok {
		d.Writer = p.resultWriter(w, v, ql)
	}
	return d
}

func (p *parser) checkLabel(w string, v any) {
	s, ok := v.(string)
	switch {
	case !ok:
		p.addf("%s: Label must be a string", w)
	case len([]rune(s)) > maxLabelLength:
		p.addf("%s: Label must be at most %d characters", w, maxLabelLength)
	case strings.ContainsAny(s, labelForbiddenCharacters):
		p.addf("%s: Label %q holds a character Step Functions does not allow in a Map Run name (whitespace or one of %s)", w, s, strings.TrimSpace(labelForbiddenCharacters))
	default:
		for _, r := range s {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
				p.addf("%s: Label %q holds a control character", w, s)
				break
			}
		}
	}
}

// payloadField parses the Parameters (JSONPath) or Arguments (JSONata) of
// an ItemReader or ResultWriter.
func (p *parser) payloadField(w, field string, m map[string]any, ql string) any {
	name, other := "Parameters", "Arguments"
	if ql == queryJSONata {
		name, other = other, name
	}
	if _, ok := m[other]; ok {
		p.addf("%s: %s: %s belongs to %s mode; use %s", w, field, other, map[bool]string{true: "JSONata", false: "JSONPath"}[other == "Arguments"], name)
	}
	v, ok := m[name]
	if !ok {
		return nil
	}
	if _, isObj := v.(map[string]any); !isObj && ql == queryJSONPath {
		p.addf("%s: %s Parameters must be an object", w, field)
		return nil
	}
	if ql == queryJSONata {
		p.checkJSONata(w, field+" Arguments", v)
	} else {
		p.checkTemplate(w, field+" Parameters", v)
	}
	return v
}

// countField parses a positive count that, in JSONata mode, may be an
// expression, and its …Path form (JSONPath mode).
func (p *parser) countField(w, field string, m map[string]any, ql string, limit int64) (any, string) {
	v, has := m[field]
	path, hasPath := m[field+"Path"]
	if has && hasPath {
		p.addf("%s: %s and %sPath cannot both be set", w, field, field)
	}
	if has {
		if _, isExpr := jsonataExpr(v); isExpr && ql == queryJSONata {
			p.checkJSONata(w, field, v)
		} else if n, ok := intField(v); !ok || n < 0 || (limit > 0 && n > limit) {
			if limit > 0 {
				p.addf("%s: %s must be an integer from 0 to %d", w, field, limit)
			} else {
				p.addf("%s: %s must be a non-negative integer", w, field)
			}
		}
	}
	s := ""
	if hasPath {
		if ql == queryJSONata {
			p.addf("%s: %sPath is not allowed in JSONata mode (give %s a JSONata expression)", w, field, field)
		}
		var ok bool
		if s, ok = path.(string); !ok {
			p.addf("%s: %sPath must be a path string", w, field)
		} else {
			p.checkPath(w, field+"Path", s, false)
		}
	}
	return v, s
}

func (p *parser) itemReader(w string, v any, ql string) *ItemReader {
	m, ok := v.(map[string]any)
	if !ok {
		p.addf("%s: ItemReader must be an object", w)
		return nil
	}
	r := &ItemReader{}
	for _, k := range sortedKeys(m) {
		switch k {
		case "Resource", "Parameters", "Arguments", "ReaderConfig":
		default:
			p.addf("%s: ItemReader: unknown field %q (want Resource, ReaderConfig and %s)", w, k, map[bool]string{true: "Arguments", false: "Parameters"}[ql == queryJSONata])
		}
	}
	r.Resource, _ = m["Resource"].(string)
	switch r.Resource {
	case resourceS3GetObject, resourceS3ListObjectsV2:
	case "":
		p.addf("%s: ItemReader needs Resource (%s or %s)", w, resourceS3GetObject, resourceS3ListObjectsV2)
	default:
		p.addf("%s: ItemReader Resource %q is not supported (want %s or %s)", w, r.Resource, resourceS3GetObject, resourceS3ListObjectsV2)
	}
	r.Parameters = p.payloadField(w, "ItemReader", m, ql)
	if raw, ok := m["ReaderConfig"]; ok {
		rc, ok := raw.(map[string]any)
		if !ok {
			p.addf("%s: ItemReader ReaderConfig must be an object", w)
		} else {
			r.Config = p.readerConfig(w, rc, ql)
		}
	}
	if r.Resource == resourceS3GetObject && r.Config.InputType == "" {
		p.addf("%s: an ItemReader with %s needs ReaderConfig InputType (CSV, JSON, JSONL, MANIFEST or PARQUET)", w, resourceS3GetObject)
	}
	return r
}

func (p *parser) readerConfig(w string, m map[string]any, ql string) ReaderConfig {
	var c ReaderConfig
	for _, k := range sortedKeys(m) {
		switch k {
		case "InputType":
			c.InputType, _ = m[k].(string)
			switch c.InputType {
			case "CSV", "JSON", "JSONL", "MANIFEST", "PARQUET":
			default:
				p.addf("%s: ItemReader ReaderConfig InputType must be CSV, JSON, JSONL, MANIFEST or PARQUET", w)
			}
		case "CSVHeaderLocation":
			c.CSVHeaderLocation, _ = m[k].(string)
			if c.CSVHeaderLocation != "FIRST_ROW" && c.CSVHeaderLocation != "GIVEN" {
				p.addf("%s: ItemReader ReaderConfig CSVHeaderLocation must be FIRST_ROW or GIVEN", w)
			}
		case "CSVHeaders":
			list, ok := m[k].([]any)
			if !ok {
				p.addf("%s: ItemReader ReaderConfig CSVHeaders must be an array of strings", w)
				continue
			}
			for _, h := range list {
				s, ok := h.(string)
				if !ok {
					p.addf("%s: ItemReader ReaderConfig CSVHeaders must be an array of strings", w)
					break
				}
				c.CSVHeaders = append(c.CSVHeaders, s)
			}
		case "CSVDelimiter":
			c.CSVDelimiter, _ = m[k].(string)
			if _, ok := csvDelimiters[c.CSVDelimiter]; !ok {
				p.addf("%s: ItemReader ReaderConfig CSVDelimiter must be COMMA, PIPE, SEMICOLON, SPACE or TAB", w)
			}
		case "MaxItems", "MaxItemsPath", "ManifestType":
		default:
			p.addf("%s: ItemReader ReaderConfig: unknown field %q", w, k)
		}
	}
	c.MaxItems, c.MaxItemsPath = p.countField(w, "MaxItems", m, ql, maxReaderItems)
	if c.CSVHeaderLocation == "GIVEN" && len(c.CSVHeaders) == 0 {
		p.addf("%s: ItemReader ReaderConfig CSVHeaderLocation GIVEN needs CSVHeaders", w)
	}
	if c.CSVHeaderLocation != "GIVEN" && c.CSVHeaders != nil {
		p.addf("%s: ItemReader ReaderConfig CSVHeaders needs CSVHeaderLocation GIVEN", w)
	}
	if c.InputType != "CSV" && (c.CSVHeaderLocation != "" || c.CSVDelimiter != "") {
		p.addf("%s: ItemReader ReaderConfig CSVHeaderLocation and CSVDelimiter need InputType CSV", w)
	}
	return c
}

func (p *parser) itemBatcher(w string, v any, ql string) *ItemBatcher {
	m, ok := v.(map[string]any)
	if !ok {
		p.addf("%s: ItemBatcher must be an object", w)
		return nil
	}
	b := &ItemBatcher{}
	for _, k := range sortedKeys(m) {
		switch k {
		case "MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath":
		case "BatchInput":
			b.BatchInput, b.HasBatchInput = m[k], true
			if _, isObj := m[k].(map[string]any); !isObj && ql == queryJSONPath {
				p.addf("%s: ItemBatcher BatchInput must be an object", w)
			}
			if ql == queryJSONata {
				p.checkJSONata(w, "ItemBatcher BatchInput", m[k])
			} else {
				p.checkTemplate(w, "ItemBatcher BatchInput", m[k])
			}
		default:
			p.addf("%s: ItemBatcher: unknown field %q", w, k)
		}
	}
	b.MaxItemsPerBatch, b.MaxItemsPerBatchPath = p.countField(w, "MaxItemsPerBatch", m, ql, 0)
	b.MaxInputBytesPerBatch, b.MaxInputBytesPerBatchPath = p.countField(w, "MaxInputBytesPerBatch", m, ql, maxBatchBytes)
	if b.MaxItemsPerBatch == nil && b.MaxItemsPerBatchPath == "" && b.MaxInputBytesPerBatch == nil && b.MaxInputBytesPerBatchPath == "" {
		p.addf("%s: ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their …Path forms)", w)
	}
	return b
}

func (p *parser) resultWriter(w string, v any, ql string) *ResultWriter {
	m, ok := v.(map[string]any)
	if !ok {
		p.addf("%s: ResultWriter must be an object", w)
		return nil
	}
	r := &ResultWriter{}
	for _, k := range sortedKeys(m) {
		switch k {
		case "Resource", "Parameters", "Arguments", "WriterConfig":
		default:
			p.addf("%s: ResultWriter: unknown field %q", w, k)
		}
	}
	r.Resource, _ = m["Resource"].(string)
	if _, ok := m["Resource"]; ok && r.Resource != resourceS3PutObject {
		p.addf("%s: ResultWriter Resource must be %s", w, resourceS3PutObject)
	}
	r.Parameters = p.payloadField(w, "ResultWriter", m, ql)
	if (r.Resource == "") != (r.Parameters == nil) {
		p.addf("%s: ResultWriter needs Resource and %s together", w, map[bool]string{true: "Arguments", false: "Parameters"}[ql == queryJSONata])
	}
	if raw, ok := m["WriterConfig"]; ok {
		wc, ok := raw.(map[string]any)
		if !ok {
			p.addf("%s: ResultWriter WriterConfig must be an object", w)
		}
		for _, k := range sortedKeys(wc) {
			s, _ := wc[k].(string)
			switch k {
			case "OutputType":
				if s != "JSON" && s != "JSONL" {
					p.addf("%s: ResultWriter WriterConfig OutputType must be JSON or JSONL", w)
				}
				r.OutputType = s
			case "Transformation":
				if s != "NONE" && s != "COMPACT" && s != "FLATTEN" {
					p.addf("%s: ResultWriter WriterConfig Transformation must be NONE, COMPACT or FLATTEN", w)
				}
				r.Transformation = s
			default:
				p.addf("%s: ResultWriter WriterConfig: unknown field %q", w, k)
			}
		}
		if r.OutputType == "" || r.Transformation == "" {
			p.addf("%s: ResultWriter WriterConfig needs OutputType and Transformation", w)
		}
	} else if r.Resource == "" {
		p.addf("%s: ResultWriter cannot be empty: give WriterConfig, or Resource and %s", w, map[bool]string{true: "Arguments", false: "Parameters"}[ql == queryJSONata])
	}
	return r
}

var csvDelimiters = map[string]rune{"": ',', "COMMA": ',', "PIPE": '|', "SEMICOLON": ';', "SPACE": ' ', "TAB": '\t'}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mapRunLabel is the name of a distributed Map's Map Run.
func mapRunLabel(st *State) string {
	if st.Distributed != nil && st.Distributed.Label != "" {
		return st.Distributed.Label
	}
	return st.Name
}
