package batch

import "time"

// The job ledger is one DynamoDB table per stack with one item per job the
// create-job function started: the job's ARN (the key), the task token that
// waits for it, the execution, manifest and model, the submit time, and
// whether the job is still open (its task not yet answered). The construct
// creates the table and its indexes under these names; the handlers, watch
// and the console read and write it under the same names.
const (
	// LedgerTableEnv names the environment variable that gives each of the
	// construct's functions the ledger's table name.
	LedgerTableEnv = "BEDROCKBATCH_LEDGER_TABLE"

	// LedgerJobArn is the table's partition key: the job's ARN.
	LedgerJobArn = "jobArn"
	// LedgerTaskToken holds the task token that waits for the job. Only the
	// table and the open-jobs index hold it; the execution index does not.
	LedgerTaskToken = "taskToken"
	// LedgerExecutionArn is the execution that created the job.
	LedgerExecutionArn = "executionArn"
	// LedgerManifest is the job's input manifest (an s3:// URI).
	LedgerManifest = "manifest"
	// LedgerModelID is the model the job runs.
	LedgerModelID = "modelId"
	// LedgerJobName is the name the job was created with.
	LedgerJobName = "jobName"
	// LedgerSubmitTime is when the job was created, an RFC 3339 UTC string
	// of fixed width, so that strings sort as times: the indexes' sort key.
	LedgerSubmitTime = "submitTime"
	// LedgerTimeoutHours is the job's timeoutDurationInHours.
	LedgerTimeoutHours = "timeoutHours"
	// LedgerState is LedgerStateOpen while the job's task waits, then the
	// status the job ended with.
	LedgerState = "state"
	// LedgerOpen is present, with the value LedgerStateOpen, only while the
	// job is open: the partition key of the sparse open-jobs index, so that
	// the index holds open jobs only and its size follows the work in
	// flight, not the history.
	LedgerOpen = "openJob"
	// LedgerClosedAt is when the job's entry was closed (RFC 3339).
	LedgerClosedAt = "closedAt"
	// LedgerExpiresAt is the table's TTL attribute (epoch seconds), set when
	// an entry is closed: DynamoDB deletes the entry LedgerRetention later.
	LedgerExpiresAt = "expiresAt"

	// LedgerOpenIndex is the sparse global secondary index of open jobs:
	// partition key LedgerOpen, sort key LedgerSubmitTime.
	LedgerOpenIndex = "open-jobs"
	// LedgerExecutionIndex is the global secondary index of an execution's
	// jobs: partition key LedgerExecutionArn, sort key LedgerSubmitTime.
	LedgerExecutionIndex = "by-execution"

	// LedgerStateOpen is LedgerState (and LedgerOpen) of an open job.
	LedgerStateOpen = "open"

	// LedgerSubmitTimeLayout formats LedgerSubmitTime and LedgerClosedAt.
	LedgerSubmitTimeLayout = "2006-01-02T15:04:05.000Z"
)

// LedgerRetention is how long a closed entry stays in the ledger before its
// TTL deletes it: long enough for watch and the console to show an
// execution's jobs well after it ended, and for the CloudWatch logs of the
// same run to be read next to it.
const LedgerRetention = 90 * 24 * time.Hour

// LedgerOpenProjection lists the attributes the open-jobs index carries
// besides its keys: what the reconciler needs to check and report a job
// without reading the table.
var LedgerOpenProjection = []string{LedgerTaskToken, LedgerTimeoutHours, LedgerExecutionArn}

// LedgerExecutionProjection lists the attributes the execution index
// carries besides its keys: what the stopper, watch and the console show,
// never the task token.
var LedgerExecutionProjection = []string{LedgerManifest, LedgerModelID, LedgerJobName, LedgerState, LedgerOpen}

// LedgerStateMissing is the state of an entry closed because Bedrock no
// longer knows its job (deleted, or its ARN unreadable).
const LedgerStateMissing = "Missing"
