// Package lambda is the local cloud's AWS Lambda, behind Lambda's
// REST-JSON API (CreateFunction, UpdateFunctionCode,
// UpdateFunctionConfiguration, DeleteFunction, Invoke, GetFunction,
// GetFunctionConfiguration, ListFunctions), so callers use the official
// SDK client unchanged.
//
// A function runs its deployed code (a CDK asset or a zip) in processes of
// its own, through the Lambda Runtime API, each process serving one
// invocation at a time: provided.* runtimes start the package's bootstrap
// (through qemu's user-mode emulator when it is built for the other
// architecture), nodejs* and python3.* runtimes run the handler module
// with this machine's node or python3 and a small runtime client of ours
// (runtimes/). Processes are started on demand, kept warm for the next
// invocation, capped by the function's concurrency, and killed when an
// invocation outlives the function's timeout. They get the environment
// Lambda gives, with credentials and AWS_ENDPOINT_URL pointing at the
// local cloud; their output goes to the service log and the invocation's
// record.
//
// A Go handler registered in-process (Register, or Deploy with a handler)
// wins over the code: the local cloud runs its own functions that way, and
// Go tests may.
//
// Invoke runs a function synchronously (RequestResponse), queues it
// (Event: answered 202, run in the background and retried twice with
// backoff after a failure, as Lambda does for asynchronous invocations) or
// only checks it could (DryRun). Queued invocations are spooled to the data
// directory first, so a restart runs them.
package lambda
