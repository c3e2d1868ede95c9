// Package bedrock is the local Amazon Bedrock batch inference engine: model
// invocation jobs that are created, validated, scheduled, run record by
// record through a backend.Backend, and finished the way the service does it,
// on one machine.
//
// The Engine's methods map one to one onto the service's operations
// (CreateModelInvocationJob → CreateJob, GetModelInvocationJob → GetJob, …)
// and fail with *APIError values that carry the service's error codes, so a
// REST-JSON front end only translates requests and responses. Objects are
// read and written through an ObjectStore, status changes are published to
// an EventSink, and time comes from a clock.Clock, so tests and demos can
// compress a 24-hour timeout into seconds.
//
// Jobs and their progress live in a data directory, and their output goes
// to S3 while they run, a multipart upload part at a time: a per-input
// journal notes which records are finished and where their output lines
// are, so a new Engine on the same directory resumes an interrupted job
// without running a finished record twice, and the engine's own files stay
// small whatever the size of the job.
package bedrock
