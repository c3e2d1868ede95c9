// Package awsproto holds the wire-protocol pieces every service of the local
// cloud shares: request ids, AWS-shaped errors for the JSON, REST-JSON and
// REST-XML protocols (shaped so that aws-sdk-go-v2 decodes them into its
// typed errors), SigV4 credential-scope parsing, dispatch of awsJson
// requests by X-Amz-Target, and an http.RoundTripper that serves SDK
// clients from a handler in the same process.
package awsproto
