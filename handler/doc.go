// Package handler holds the logic of the functions the BedrockBatchSfn
// fragment deploys: CreateJob, which starts one Bedrock batch inference job
// per manifest and parks the Step Functions task token on it; JobEvent,
// which turns the job's terminal state-change event into SendTaskSuccess or
// SendTaskFailure; Reconcile, which on a schedule reports the ended jobs
// whose event was lost, through JobEvent's code; and StopJobs, which stops
// the jobs of an execution that ended without success.
//
// All are plain Go values over narrow interfaces of the aws-sdk-go-v2
// clients, so the Lambda mains under lambda/ only wire real clients in, the
// local cloud runs the same code against its own endpoint, and tests use
// fakes.
package handler
