package batch

import "time"

// CreateJobFunctionTimeout is the create-job function's timeout. A job can
// still be created this long after its execution ended (the call was in
// flight), so the jobs of an ended execution are looked for again once it
// has passed.
const CreateJobFunctionTimeout = 30 * time.Second

// HeartbeatMargin and the reconcile interval make how much longer than the
// job's own timeout (timeoutDurationInHours) the fragment's task waits for
// the job's end (its heartbeat timeout; see TaskHeartbeat), so that
// Bedrock's terminal status, not the heartbeat, ends the task: Expired for
// a job that never started, with the service's message, and
// PartiallyCompleted, with the output files of the records it did finish,
// for one that ran out of time. HeartbeatMargin covers:
//   - the task starts before the job: the heartbeat counts from the task's
//     start, Bedrock from the job's submission, up to the create-job
//     function's timeout later (CreateJobFunctionTimeout);
//   - Bedrock winds a timed-out job down (Stopping, then writing the
//     output of the finished records and manifest.json.out) before it
//     reports the terminal status; AWS gives no bound for this, and the
//     output of a large job takes a while to write;
//   - the status-change event's delivery and the job-event function's
//     retries (Lambda retries a failed asynchronous invocation twice, over
//     up to three minutes).
//
// TaskHeartbeat adds two reconcile intervals on top: when the event is
// lost, the reconciler finds the ended job on its next run, and a run that
// fails is retried on the one after. What the margin costs is that a task
// whose job vanished without any status (which Bedrock does not do) waits
// that much longer before States.HeartbeatTimeout.
const HeartbeatMargin = 2 * time.Hour

// MaxReconcileInterval is the longest interval the construct lets the
// reconciler run at.
const MaxReconcileInterval = 24 * time.Hour

// TaskHeartbeat is the heartbeat timeout of the task that waits for a job
// of timeoutHours (MaxTimeoutHours when not positive) in a stack whose
// reconciler runs every reconcile: the job's timeout, HeartbeatMargin and
// two reconcile intervals.
func TaskHeartbeat(timeoutHours int, reconcile time.Duration) time.Duration {
	if timeoutHours <= 0 {
		timeoutHours = MaxTimeoutHours
	}
	return time.Duration(timeoutHours)*time.Hour + HeartbeatMargin + 2*reconcile
}

// WaitBound is the longest a task can wait for a job of timeoutHours,
// counted from the job's submit time, whatever the reconcile interval: the
// longest heartbeat timeout (nothing sends heartbeats to the task), plus a
// margin for the clocks that stamp the submit time and the one that reads
// it. A job whose ledger entry is still open after that has no task
// waiting for it.
func WaitBound(timeoutHours int) time.Duration {
	return TaskHeartbeat(timeoutHours, MaxReconcileInterval) + clockSkewMargin
}

// clockSkewMargin covers the difference between the clocks that stamp a
// job's submit time and the one that reads it.
const clockSkewMargin = time.Hour
