// Package console is the local cloud's web console, served at /_console/ on
// the cloud's own port: state machines and executions (a graph of each
// execution coloured by what happened, its event history, stop), Bedrock
// batch jobs (progress, counts, tokens, cost at the prices given in Options,
// failed records, stop), S3 (buckets, prefixes, JSONL previews, downloads)
// and recent EventBridge events and Lambda invocations.
//
// It reads the cloud the way the AWS console reads AWS: through the
// services' own APIs with aws-sdk-go-v2 clients, so it shows what any SDK
// client would see. Only what no AWS API lists (recent events with the
// rules they matched, Lambda invocations) comes from the services' small
// in-memory logs. The page is plain HTML, CSS and JavaScript embedded in the
// binary; it polls a small JSON API under /_console/api/.
package console
