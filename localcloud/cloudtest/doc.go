// Package cloudtest is test support for the local cloud, as net/http/httptest
// is for net/http: it serves the cloud's pieces on loopback test servers and
// points aws-sdk-go-v2 at them, for the tests of the services themselves
// and of the tools that use them.
//
// Start serves an empty edge router (a test registers the services it
// needs) and Server.Config builds an SDK configuration that reaches it.
// S3 serves a local S3 over files and returns a client of it; S3Env does
// the same and points the SDK's default configuration at it through the
// environment, for code that loads its own configuration. APICode reads the
// error code an SDK client returns, and DirBytes measures what a service
// keeps on disk.
//
// The package imports only the router and the S3 service, never the whole
// cloud (package localcloud), so the tests of every service, inside their
// packages, can use it. A test that needs the whole cloud opens one with
// localcloud.New.
package cloudtest
