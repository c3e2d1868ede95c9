// Package appcontract is what bedrockbatch's tools and a CDK app that uses
// the BedrockBatchSfn construct agree on: the CDK context keys through which
// `bedrockbatch local run` hands an app the job input it uploaded, and the
// names of the stack outputs the tools look for (the state machine, the bucket
// for the manifests, and the job ledger).
//
// It imports only package batch, for the job input's type, and never the
// CDK, so the tools can use it without linking the CDK.
package appcontract

import "github.com/bedrockbatch/bedrockbatch/batch"

// Context keys an app may read at synthesis to take the job input from the
// tool (`cdk synth -c bedrockbatch:manifestKeys=input/a.jsonl,input/b.jsonl`
// works the same). Manifest keys are a JSON list through CDK_CONTEXT_JSON,
// or a comma-separated string through `cdk synth -c`.
const (
	ContextManifestKeys = "bedrockbatch:manifestKeys"
	ContextModelID      = "bedrockbatch:modelId"
	ContextJobName      = "bedrockbatch:jobName"
	// ContextModelInvocationType is InvokeModel or Converse: how the
	// jobs read the uploaded records.
	ContextModelInvocationType = "bedrockbatch:modelInvocationType"
)

// ContextInProcessFunctions, set to true, tells the construct that its own
// functions will run in-process (the local cloud runs them from Go) and
// need not be compiled: their assets get a placeholder, while the app's
// other assets are bundled as for a deployment.
const ContextInProcessFunctions = "bedrockbatch:inProcessFunctions"

// Names of stack outputs the tools look for. OutputBucketName names the
// bucket to upload manifests to when the app deploys more than one bucket.
const (
	OutputBucketName      = "BatchBucketName"
	OutputStateMachineArn = "StateMachineArn"
	// OutputLedgerTable is the job ledger's table name; the construct
	// adds it to its stack itself.
	OutputLedgerTable = "BedrockBatchLedgerTable"
)

// Context returns the CDK context that passes in to an app: only the fields
// that are set.
func Context(in batch.FragmentInput) map[string]any {
	ctx := map[string]any{}
	if len(in.ManifestKeys) > 0 {
		ctx[ContextManifestKeys] = in.ManifestKeys
	}
	if in.ModelID != "" {
		ctx[ContextModelID] = in.ModelID
	}
	if in.JobName != "" {
		ctx[ContextJobName] = in.JobName
	}
	if in.ModelInvocationType != "" {
		ctx[ContextModelInvocationType] = in.ModelInvocationType
	}
	return ctx
}
