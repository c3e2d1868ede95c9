// Package batch holds the domain of bedrockbatch: Bedrock batch job names,
// task-token tags, job statuses, state-change events, S3 URIs and the
// fragment's input and output types. It depends on neither the AWS SDK nor
// the CDK, so the Lambda handlers, the local cloud and the construct all
// share one definition of each rule.
package batch
