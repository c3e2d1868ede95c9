package batch

// HandlerMetadataKey is the CloudFormation metadata key with which the
// construct marks each of its Lambda functions with the handler it runs
// (one of the Handler* names), so that a tool reading the template, such as
// the local cloud, can give each function its code without inspecting it.
const HandlerMetadataKey = "bedrockbatch:handler"

// The construct's functions, as named under HandlerMetadataKey.
const (
	HandlerCreateJob = "createjob"
	HandlerJobEvent  = "jobevent"
	HandlerReconcile = "reconcile"
	HandlerStopJobs  = "stopjobs"
)
