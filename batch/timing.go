package batch

import "time"

// CreateJobFunctionTimeout is the create-job function's timeout. A job can
// still be created this long after its execution ended (the call was in
// flight), so the jobs of an ended execution are looked for again once it
// has passed.
const CreateJobFunctionTimeout = 30 * time.Second

// A task waits for its job at most its heartbeat timeout, which the
// fragment sets to the job's timeout (TimeoutDurationInHours), counted from
// the task's start, before the job is submitted, or from the last
// heartbeat. The reconciler's heartbeat, sent just before it reports an
// ended job, can restart that countdown once more, so a task may wait for a
// job submitted up to twice its timeout ago: WaitBound says how long.
func WaitBound(timeoutHours int) time.Duration {
	if timeoutHours <= 0 {
		timeoutHours = MaxTimeoutHours
	}
	return 2*time.Duration(timeoutHours)*time.Hour + clockSkewMargin
}

// clockSkewMargin covers the difference between the clocks that stamp a
// job's submit time and the one that reads it.
const clockSkewMargin = time.Hour

// ReconcileLookback is how far back the reconciler lists jobs: the longest
// WaitBound a job can have, WaitBound(MaxTimeoutHours).
const ReconcileLookback = 2*MaxTimeoutHours*time.Hour + clockSkewMargin
