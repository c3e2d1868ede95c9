// Package inprocess holds the settings of AWS SDK clients whose requests
// never leave this process: clients of the local cloud served through its
// in-process transport (the Bedrock engine writing a job's output, a local
// run uploading its manifests). It sits apart from every service so that
// the engine and the programs around the cloud share it without importing
// each other.
package inprocess

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// UnhashedUploads sets an S3 client's uploads to carry no digest of their
// body beyond what an API requires: the request is signed without a
// payload hash, as SDKs sign over TLS, and no CRC32 checksum is computed.
// For bytes that never leave this machine both only cost time: hashing
// every byte twice over was a fifth of a large job's CPU time. The S3
// server still computes each object's MD5 ETag.
func UnhashedUploads(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
}
