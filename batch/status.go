package batch

// Status is a model invocation job status as Bedrock reports it.
type Status string

// The statuses of a model invocation job.
const (
	StatusSubmitted          Status = "Submitted"
	StatusValidating         Status = "Validating"
	StatusScheduled          Status = "Scheduled"
	StatusInProgress         Status = "InProgress"
	StatusStopping           Status = "Stopping"
	StatusStopped            Status = "Stopped"
	StatusCompleted          Status = "Completed"
	StatusPartiallyCompleted Status = "PartiallyCompleted"
	StatusFailed             Status = "Failed"
	StatusExpired            Status = "Expired"
)

// AllStatuses lists every status in lifecycle order.
var AllStatuses = []Status{
	StatusSubmitted, StatusValidating, StatusScheduled, StatusInProgress,
	StatusStopping, StatusStopped, StatusCompleted, StatusPartiallyCompleted,
	StatusFailed, StatusExpired,
}

// TerminalStatuses are the statuses after which a job never changes again;
// the construct's EventBridge rule matches exactly these.
var TerminalStatuses = []Status{
	StatusCompleted, StatusPartiallyCompleted, StatusFailed, StatusExpired, StatusStopped,
}

// Terminal reports whether s is a final status.
func (s Status) Terminal() bool {
	for _, t := range TerminalStatuses {
		if s == t {
			return true
		}
	}
	return false
}

// Succeeded reports whether s is a terminal status whose outputs are usable:
// Completed or PartiallyCompleted.
func (s Status) Succeeded() bool {
	return s == StatusCompleted || s == StatusPartiallyCompleted
}

// Valid reports whether s is one of the service's statuses.
func (s Status) Valid() bool {
	for _, t := range AllStatuses {
		if s == t {
			return true
		}
	}
	return false
}
