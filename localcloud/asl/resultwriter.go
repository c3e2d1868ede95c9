package asl

import (
	"bytes"
	"context"
	"strings"
	"time"
)

// resultWriterCall writes one object through the engine's Invoker: an
// s3:putObject TaskCall whose StateName is the Map state's name and whose
// Field is "ResultWriter".
func (x *execution) resultWriterCall(ctx context.Context, st *State, bucket, key string, body []byte) *Error {
	in := map[string]any{"Bucket": bucket, "Key": key, "Body": string(body)}
	call := TaskCall{
		Resource: resourceS3PutObject, Pattern: PatternRequestResponse, StateName: st.Name, Field: "ResultWriter",
		ExecutionArn: x.rec.ExecutionArn, Input: encodeValue(in),
	}
	_, err := x.invoke(ctx, call, time.Time{})
	if err == errCancelled {
		return err
	}
	if err != nil {
		return newError(ErrResultWriterFailed, "The ResultWriter of the Map state '%s' could not write s3://%s/%s: %s", st.Name, bucket, key, err.Error())
	}
	return nil
}

// writeResults exports a Map Run's results as Step Functions does: one
// file per status (SUCCEEDED_0, FAILED_0, PENDING_0) under
// PREFIX/MAP-RUN-ID/, and a manifest.json that lists them. It returns the
// state's result: the Map Run ARN and where the manifest is.
func (x *execution) writeResults(ctx context.Context, st *State, ev mapEval, ids mapRunIDs, records []childRecord) (any, *Error) {
	w := st.Distributed.Writer
	params, err := ev.template(w.Parameters, "ResultWriter")
	if err != nil {
		return nil, err
	}
	pm, _ := params.(map[string]any)
	bucket, _ := pm["Bucket"].(string)
	prefix, _ := pm["Prefix"].(string)
	if bucket == "" {
		return nil, newError(ErrResultWriterFailed, "The ResultWriter of the Map state '%s' needs a Bucket name in its %s", st.Name, map[bool]string{true: "Arguments", false: "Parameters"}[st.QueryLanguage == queryJSONata])
	}
	dir := ids.runID + "/"
	if p := strings.TrimSuffix(prefix, "/"); p != "" {
		dir = p + "/" + dir
	}
	transformation := w.Transformation
	if transformation == "" {
		transformation = "NONE"
	}
	ext := ".json"
	if w.OutputType == "JSONL" {
		ext = ".jsonl"
	}
	// Failed, timed-out and aborted children go to FAILED; PENDING holds
	// children that had not ended (none, once a Map Run has waited for
	// every child it started).
	group := func(r childRecord) string {
		switch r.status {
		case StatusSucceeded:
			return "SUCCEEDED"
		case StatusRunning:
			return "PENDING"
		}
		return "FAILED"
	}
	files := map[string]any{"SUCCEEDED": []any{}, "FAILED": []any{}, "PENDING": []any{}}
	written := 0
	for _, status := range []string{"SUCCEEDED", "FAILED", "PENDING"} {
		var members []childRecord
		for _, r := range records {
			if group(r) == status {
				members = append(members, r)
			}
		}
		if len(members) == 0 {
			continue
		}
		var results []any
		if status == "PENDING" {
			for _, r := range members {
				results = append(results, r.metadata())
			}
		} else {
			results = transformResults(members, transformation)
			written += len(members)
		}
		body := encodeValue(results)
		if w.OutputType == "JSONL" {
			var buf bytes.Buffer
			for _, r := range results {
				buf.Write(encodeValue(r))
				buf.WriteByte('\n')
			}
			body = buf.Bytes()
		}
		key := dir + status + "_0" + ext
		if err := x.resultWriterCall(ctx, st, bucket, key, body); err != nil {
			return nil, err
		}
		files[status] = []any{map[string]any{"Key": key, "Size": intValue(int64(len(body)))}}
	}
	if r := x.engine.mapRunByArn(ids.arn); r != nil {
		r.wrote(written, written)
	}
	manifest := map[string]any{"DestinationBucket": bucket, "MapRunArn": ids.arn, "ResultFiles": files}
	key := dir + "manifest.json"
	if err := x.resultWriterCall(ctx, st, bucket, key, encodeValue(manifest)); err != nil {
		return nil, err
	}
	return map[string]any{
		"MapRunArn":           ids.arn,
		"ResultWriterDetails": map[string]any{"Bucket": bucket, "Key": key},
	}, nil
}
