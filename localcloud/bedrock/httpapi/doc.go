// Package httpapi serves the Amazon Bedrock control plane's batch inference
// operations over its REST-JSON wire protocol, in front of a local
// bedrock.Engine, so that the official SDK clients (aws-sdk-go-v2's
// service/bedrock, boto3, the AWS CLI) work against it with only an endpoint
// override.
//
// It translates requests and responses and nothing more: the HTTP bindings
// (paths, methods, query parameters, status codes), date-time timestamps
// and error shapes follow the service's API model, and every decision about
// jobs is the engine's. The operations served are
// CreateModelInvocationJob, GetModelInvocationJob, ListModelInvocationJobs,
// StopModelInvocationJob, TagResource, UntagResource, ListTagsForResource
// and GetInferenceProfile (for the application inference profiles the
// engine knows); any other request is answered with an error that
// lists them.
package httpapi
