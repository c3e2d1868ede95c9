// Package handler holds the logic of the functions the BedrockBatchSfn
// fragment deploys: CreateJob, which starts one Bedrock batch inference job
// per manifest and records it, with the Step Functions task token, in the
// job ledger (Ledger, one DynamoDB table per stack); JobEvent, which turns
// the job's terminal state-change event into SendTaskSuccess or
// SendTaskFailure with the token it reads from the ledger; Reconcile,
// which on a schedule asks Bedrock about the ledger's open jobs only and
// reports those that ended while their event was lost, through JobEvent's
// code; and StopJobs, which stops the open jobs the ledger holds for an
// execution that ended without success. No function reads a job's tags,
// which carry no task token.
//
// All are plain Go values over narrow interfaces of the aws-sdk-go-v2
// clients, so the Lambda mains under lambda/ only wire real clients in, the
// local cloud runs the same code against its own endpoint, and tests use
// fakes.
package handler
