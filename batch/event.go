package batch

// Event source and detail type of Bedrock's batch job state-change events on
// the default EventBridge bus.
const (
	EventSource     = "aws.bedrock"
	EventDetailType = "Batch Inference Job State Change"
)

// JobStateChange is the detail of a "Batch Inference Job State Change" event.
type JobStateChange struct {
	Version        string `json:"version"`
	AccountID      string `json:"accountId"`
	BatchJobName   string `json:"batchJobName"`
	BatchJobArn    string `json:"batchJobArn"`
	BatchModelID   string `json:"batchModelId"`
	Status         Status `json:"status"`
	FailureMessage string `json:"failureMessage,omitempty"`
	CreationTime   string `json:"creationTime"`
}
