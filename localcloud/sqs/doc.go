// Package sqs is the local Amazon SQS: standard and FIFO queues kept in the
// data directory (one file per queue and per message, so a restart loses no
// message), served over both protocols the SDKs speak — AWS JSON 1.0
// (X-Amz-Target AmazonSQS.<Operation>, current SDKs) and the query protocol
// (form-encoded Action=<Operation> with XML answers, older SDKs) — with
// visibility timeouts, long polling, dead-letter redrive and message move
// tasks.
//
// Queue URLs are http://<host the request reached>/<account>/<queue name>;
// the service identifies a queue by the URL's path, so a URL keeps working
// through any address of the local cloud.
package sqs
