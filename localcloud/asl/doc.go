// Package asl interprets the Amazon States Language as AWS Step Functions
// runs it, so that a state machine synthesized by the AWS CDK (or written by
// hand) can be executed on one machine: in tests, from the command line and
// inside the local cloud.
//
// A definition is parsed and checked with [Parse], which rejects what Step
// Functions rejects (unknown or unreachable states, a missing Next or End,
// malformed paths and intrinsic functions) and names the offending state.
// An [Engine] runs executions of parsed definitions: it calls an [Invoker]
// for each Task state, keeps a history of events shaped like Step Functions'
// GetExecutionHistory, answers task tokens (SendTaskSuccess, SendTaskFailure,
// SendTaskHeartbeat), and measures time with a [clock.Clock] so waits and
// timeouts can be compressed.
//
// Executions can be persisted through an [ExecutionStore] ([FileStore],
// [MemoryStore]) as a journal: each save appends what changed (the
// branches that moved, the new history events), so saving costs what the
// execution did since the last save rather than its whole size, and the
// journal is compacted once it has doubled. The journal holds the whole
// tree of running branches (Map iterations and Parallel branches
// included), so that an execution restored with [Engine.Resume] continues
// where it stopped, even when the process was killed in the middle of a
// save. A .waitForTaskToken task saves its token before calling its
// resource and registers it before Resume returns, so the token stays
// valid across a restart: a task whose call had returned waits for the
// same token, a task whose call had not returned calls its resource again
// with the same token (such resources must be idempotent per token; see
// [Invoker]), and an answer is saved before SendTaskSuccess or
// SendTaskFailure returns, so an acknowledged answer is never lost. A Wait
// state keeps its deadline. Any other state that was in progress is
// entered again, which repeats a request/response task call
// (at-least-once).
//
// Both query languages run: JSONPath mode completely (InputPath,
// Parameters, ResultSelector, ResultPath, OutputPath, the context object and
// every States.* intrinsic function), and JSONata mode (QueryLanguage
// "JSONata", for a whole machine or a single state) with Arguments, Output,
// Items, ItemSelector, Condition, expression-valued fields and Step
// Functions' own functions ($partition, $range, $hash, $random, $uuid,
// $parse). Workflow variables work in both: Assign on states, Choice rules
// and catchers, "$name" paths in JSONPath mode and "$name" in JSONata
// expressions. Every state reads the values it entered with; new values
// take effect when it exits. A Parallel branch or Map iteration starts
// with its parent's variables, and what it assigns stays inside it.
//
// A Map state in distributed mode (ItemProcessor ProcessorConfig Mode
// "DISTRIBUTED", see [DistributedMap]) runs each item, or each ItemBatcher
// batch ({"Items": [...], "BatchInput": {...}}), as a child workflow
// execution of its own, as Step Functions does: named
// <state machine>/<label>:<uuid>, with its own context object
// ($$.Execution is the child's), history and history limit, persisted and
// resumed like any execution, and listed by Map Run
// ([Engine.MapRunExecutions], [Engine.DescribeMapRun]). The parent's
// history holds MapRunStarted and MapRunSucceeded or MapRunFailed, not the
// children's states. The Map Run fails with
// States.ExceedToleratedFailureThreshold past its tolerated failures
// (counted in items) and then stops its running children. Its ItemReader
// and ResultWriter reach Amazon S3 through the [Invoker] as TaskCalls
// named after the Map state, with Field "ItemReader" or "ResultWriter";
// CSV, JSON and JSON Lines objects and listObjectsV2 listings are read as
// Step Functions reads them, a listing page by page as the children
// start, and results are written as Step Functions writes them
// (<prefix>/<map run id>/manifest.json, SUCCEEDED_0.json, FAILED_0.json).
//
// Errors the interpreter raises in a state (States.Runtime,
// States.QueryEvaluationError) carry Step Functions' cause, prefixed with
// the state and the id of its entered event.
//
// Waits and timeouts use the engine's clock; Options.SkipWaits ends Wait
// states and retry intervals at once without changing any result, for
// tests and command-line runs.
package asl
