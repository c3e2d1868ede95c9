// Package edge is the local cloud's front door: one http.Handler on one port
// that hands each request to the service it is addressed to, the way AWS
// endpoints do, so SDK clients need only an endpoint override.
//
// A request is routed by the service name in its SigV4 credential scope
// (Authorization header, or X-Amz-Credential for presigned URLs); failing
// that by its X-Amz-Target prefix (awsJson protocols) or a service-specific
// path; anything else unsigned goes to S3, which is how browsers and curl
// fetch objects. Signatures are parsed, never verified: any credentials
// are accepted. A request for a service that is not served gets an error in
// its client's protocol (S3 XML, a query-protocol ErrorResponse, or JSON).
package edge
