// Package lambda is the local cloud's AWS Lambda: a registry of functions
// whose code is a Go function running in this process, behind Lambda's
// REST-JSON API (Invoke, GetFunction, GetFunctionConfiguration,
// ListFunctions), so callers use the official SDK client unchanged.
//
// Invoke runs the handler synchronously (RequestResponse), queues it
// (Event: answered 202, run in the background and retried twice with
// backoff after a failure, as Lambda does for asynchronous invocations) or
// only checks it could (DryRun). Queued invocations are spooled to the data
// directory first, so a restart runs them.
//
// Every function runs in this one process, so a function's Environment is
// not the process's: handlers read it with Getenv(ctx, name), which in
// Lambda itself is os.Getenv.
package lambda
