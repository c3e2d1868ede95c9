// Package awsproto holds the wire-protocol pieces every service of the local
// cloud shares: request ids, AWS-shaped errors for the JSON, REST-JSON and
// REST-XML protocols (shaped so that aws-sdk-go-v2 decodes them into its
// typed errors), SigV4 credential-scope parsing, dispatch of awsJson
// requests by X-Amz-Target, and an http.RoundTripper that serves SDK
// clients from a handler in the same process.
package awsproto

// The region and account of a local cloud whose configuration names none;
// every service of the local cloud makes its ARNs with these.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "000000000000"
)
