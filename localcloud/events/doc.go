// Package events is the local cloud's Amazon EventBridge: the default event
// bus with rules, Lambda targets and real event-pattern matching, behind
// the service's awsJson1.1 API (target prefix AWSEvents), so the official
// SDK client works unchanged.
//
// PutEvents is at-least-once, as in the service: every (event, target)
// delivery a rule produces is written to a spool in the data directory
// before PutEvents answers, handed to a Deliverer asynchronously, retried
// with exponential backoff per the target's RetryPolicy, and removed only
// once delivered; a process killed in between delivers it after a restart.
// Deliveries that fail permanently or run out of retries are kept in a
// "failed" directory for inspection. Rules and targets are kept in
// rules.json in the data directory.
package events
