package asl

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// maxListPages bounds the listObjectsV2 pages one ItemReader reads, so
// that a resource answering "truncated" forever cannot loop.
const maxListPages = 10000

// readItems reads a distributed Map's items through its ItemReader. The
// Amazon S3 call goes to the engine's Invoker as a TaskCall whose
// StateName is the Map state's name and whose Field is "ItemReader".
func (x *execution) readItems(ctx context.Context, st *State, ev mapEval) ([]any, *Error) {
	r := st.Distributed.Reader
	params, err := ev.template(r.Parameters, "ItemReader")
	if err != nil {
		return nil, err
	}
	limit, hasLimit, err := ev.number(r.Config.MaxItems, r.Config.MaxItemsPath, "MaxItems")
	if err != nil {
		return nil, err
	}
	var items []any
	switch r.Resource {
	case resourceS3ListObjectsV2:
		items, err = x.listObjects(ctx, st, params)
	default:
		var content any
		content, err = x.readerCall(ctx, st, r.Resource, params)
		if err == nil {
			items, err = parseObjectItems(content, r.Config)
		}
	}
	if err != nil {
		return nil, err
	}
	if hasLimit && limit > 0 && int(limit) < len(items) {
		items = items[:int(limit)]
	}
	return items, nil
}

// readerCall makes one Amazon S3 call of an ItemReader and returns its
// decoded result. Failures become States.ItemReaderFailed.
func (x *execution) readerCall(ctx context.Context, st *State, resource string, params any) (any, *Error) {
	call := TaskCall{
		Resource: resource, Pattern: PatternRequestResponse, StateName: st.Name, Field: "ItemReader",
		ExecutionArn: x.rec.ExecutionArn, Input: encodeValue(params),
	}
	out, err := x.invoke(ctx, call, time.Time{})
	if err == errCancelled {
		return nil, err
	}
	if err != nil {
		return nil, newError(ErrItemReaderFailed, "The ItemReader of the Map state '%s' could not read from %s: %s", st.Name, resource, err.Error())
	}
	v, derr := decodeResult(out)
	if derr != nil {
		return nil, newError(ErrItemReaderFailed, "The ItemReader of the Map state '%s' got a result that is not JSON from %s", st.Name, resource)
	}
	return v, nil
}

// listObjects reads the objects an S3 ListObjectsV2 call lists as the
// items Step Functions makes of them.
func (x *execution) listObjects(ctx context.Context, st *State, params any) ([]any, *Error) {
	var items []any
	err := x.eachListedObject(ctx, st, params, func(item any) bool {
		items = append(items, item)
		return true
	})
	return items, err
}

// eachListedObject lists objects with S3 ListObjectsV2, page by page
// (1,000 keys a page), and calls f with the item Step Functions makes of
// each until f returns false.
func (x *execution) eachListedObject(ctx context.Context, st *State, params any, f func(item any) bool) *Error {
	base, _ := params.(map[string]any)
	token := ""
	for page := 0; page < maxListPages; page++ {
		req := map[string]any{}
		for k, v := range base {
			req[k] = v
		}
		if token != "" {
			req["ContinuationToken"] = token
		}
		res, err := x.readerCall(ctx, st, resourceS3ListObjectsV2, req)
		if err != nil {
			return err
		}
		m, ok := res.(map[string]any)
		if !ok {
			return newError(ErrItemReaderFailed, "The ItemReader of the Map state '%s' expected a ListObjectsV2 result object, got %s", st.Name, jsonType(res))
		}
		contents, _ := m["Contents"].([]any)
		for _, c := range contents {
			if !f(listedObject(c)) {
				return nil
			}
		}
		next, _ := m["NextContinuationToken"].(string)
		truncated, _ := m["IsTruncated"].(bool)
		if !truncated || next == "" || next == token {
			return nil
		}
		token = next
	}
	return nil
}

// listedObject is the item Step Functions makes of one object a
// ListObjectsV2 call lists: Etag, Key, LastModified (seconds since the
// epoch), Size and StorageClass.
func listedObject(c any) any {
	o, ok := c.(map[string]any)
	if !ok {
		return c
	}
	item := map[string]any{}
	for _, k := range []string{"Key", "Size", "StorageClass"} {
		if v, ok := o[k]; ok {
			item[k] = v
		}
	}
	if v, ok := o["ETag"]; ok {
		item["Etag"] = v
	} else if v, ok := o["Etag"]; ok {
		item["Etag"] = v
	}
	switch lm := o["LastModified"].(type) {
	case string:
		if t, err := time.Parse(time.RFC3339Nano, lm); err == nil {
			item["LastModified"] = intValue(t.Unix())
		} else {
			item["LastModified"] = lm
		}
	case nil:
	default:
		item["LastModified"] = lm
	}
	return item
}

// parseObjectItems turns what an s3:getObject call returned into items.
// The result may be the object's content as a string, an object whose
// "Body" holds it (as the S3 GetObject integration returns it), or, for
// InputType JSON, the already decoded array.
func parseObjectItems(result any, cfg ReaderConfig) ([]any, *Error) {
	body := result
	if m, ok := result.(map[string]any); ok {
		if b, ok := m["Body"]; ok {
			body = b
		}
	}
	text, isText := body.(string)
	if !isText {
		if list, ok := body.([]any); ok && cfg.InputType == "JSON" {
			return list, nil
		}
		return nil, newError(ErrItemReaderFailed, "The ItemReader expected the object's content as a string (or the S3 GetObject result with a Body), got %s", jsonType(body))
	}
	var items []any
	var err error
	switch cfg.InputType {
	case "JSON":
		items, err = parseJSONItems(text)
	case "JSONL":
		items, err = ParseJSONLItems(text)
	case "CSV":
		items, err = ParseCSVItems(text, cfg)
	default:
		return nil, newError(ErrItemReaderFailed, "The ItemReader InputType %s is not supported by the local interpreter (use CSV, JSON or JSONL)", cfg.InputType)
	}
	if err != nil {
		return nil, newError(ErrItemReaderFailed, "The ItemReader could not parse the %s object: %v", cfg.InputType, err)
	}
	return items, nil
}

func parseJSONItems(text string) ([]any, error) {
	v, err := decodeValue([]byte(text))
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("the content is a JSON %s, not an array", jsonType(v))
	}
	return list, nil
}

// ParseJSONLItems reads JSON Lines content: one JSON value per non-empty
// line.
func ParseJSONLItems(text string) ([]any, error) {
	items := []any{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		v, err := decodeValue([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		items = append(items, v)
	}
	return items, nil
}

// ParseCSVItems reads CSV content as Step Functions' ItemReader does: each
// row becomes an object mapping the headers (the first row, or
// cfg.CSVHeaders with CSVHeaderLocation GIVEN) to the row's values, all
// strings. A row with fewer values than headers gets "" for the missing
// ones; a row with more values is an error.
func ParseCSVItems(text string, cfg ReaderConfig) ([]any, error) {
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
	r.Comma = csvDelimiters[cfg.CSVDelimiter]
	r.FieldsPerRecord = -1
	headers := cfg.CSVHeaders
	if cfg.CSVHeaderLocation != "GIVEN" {
		first, err := r.Read()
		if errors.Is(err, io.EOF) {
			return []any{}, nil
		}
		if err != nil {
			return nil, err
		}
		headers = first
	}
	items := []any{}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		if err != nil {
			return nil, err
		}
		if len(row) > len(headers) {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("line %d has %d values but there are %d headers", line, len(row), len(headers))
		}
		item := make(map[string]any, len(headers))
		for i, h := range headers {
			item[h] = ""
			if i < len(row) {
				item[h] = row[i]
			}
		}
		setKeyOrder(item, headers)
		items = append(items, item)
	}
}
