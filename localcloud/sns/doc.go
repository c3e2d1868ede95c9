// Package sns is the local Amazon SNS: topics and subscriptions kept in the
// data directory, served over SNS's query protocol (form-encoded
// Action=<Operation>, XML answers). Publish delivers to the subscriptions
// through the other services' APIs: to SQS queues with SendMessage (in
// SNS's JSON envelope, or raw), to Lambda functions with an asynchronous
// Invoke carrying an SNS event, and to HTTP endpoints with the POSTs SNS
// sends (SubscriptionConfirmation, then Notification). Messages are signed
// (SignatureVersion 1) with a key of the local cloud's own, whose
// certificate is served at the SigningCertURL.
package sns
