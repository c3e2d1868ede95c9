// Package bedrockbatchstepfn provides BedrockBatchSfn, an AWS Step Functions
// state machine fragment that runs one Amazon Bedrock batch inference job
// per input manifest and waits for each job to finish without polling.
//
// It has the API of the BedrockBatchSfn construct published in
// @cdklabs/generative-ai-cdk-constructs, so a Go program written against
// that binding compiles against this package after changing its import
// path. Unlike the published construct it needs no Docker: its Lambda
// functions are written in Go and compiled with the Go toolchain during
// synthesis, once per process, for linux/arm64 with -trimpath and without
// VCS stamp or build ID, so the same source always gives the same asset
// hash. The source is this module's lambda/createjob, lambda/jobevent,
// lambda/reconcile and lambda/stopjobs,
// found from where this package was compiled, else through `go list -m`
// in the current module, else in $BEDROCKBATCH_SOURCE_DIR. Binaries are kept
// in the user cache directory (bedrockbatch/lambda), one content-addressed
// directory holding only "bootstrap" per build.
//
// The fragment reads
//
//	{"job_name": "...", "manifest_keys": ["...", ...], "model_id": "..."}
//
// at its InputPath, and writes an array with one element per manifest,
//
//	[{"status": "Completed"|"PartiallyCompleted", "bucket": "...", "keys": ["....jsonl.out", ...]}, ...]
//
// at its ResultPath. When a job ends Failed, Stopped or Expired the fragment
// fails with that status as the error and the service's message as the
// cause. More keys than DefaultMaxInlineManifests (or
// Extensions.MaxInlineManifests) fail with TooManyManifestsError before
// any job is created: the inline Map could not report their results.
//
// The input also takes "model_invocation_type" ("InvokeModel", the
// default, or "Converse"; anything else fails with
// InvalidModelInvocationTypeError before any job) and "job_tags" (an
// object of tags for every job), both optional, with either manifest_keys
// or manifest_prefix.
//
// For larger runs it reads the same input with manifest_prefix, a key
// prefix of the input bucket such as input/run-7/, in place of
// manifest_keys (batch.FragmentInput holds both), and runs every .jsonl
// object under the prefix through a distributed Map (one STANDARD child
// execution per object), with no limit on their number. It writes
//
//	{"map_run_arn": "...", "results": {"bucket": "...", "manifest_key": "results/<map run id>/manifest.json"},
//	 "item_counts": {"total": n, "succeeded": n, "failed": 0, "timed_out": 0, "aborted": 0}}
//
// at its ResultPath; the per-manifest {"status","bucket","keys"} objects
// are the Output of each record in the SUCCEEDED_0.json result file.
// Failed manifests fail the run with States.ExceedToleratedFailureThreshold
// unless Extensions tolerate them.
//
// Settings the published construct has no props for (the Maps'
// MaxConcurrency, the reconciler's interval, the inline limit, tolerated
// failures, KMS keys, VPC, expected bucket owner and job tags) are given with NewBedrockBatchSfnWithExtensions and Extensions,
// so that BedrockBatchSfnProps stays the published struct.
package bedrockbatchstepfn
