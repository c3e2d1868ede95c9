package cloudtest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/bedrockbatch/bedrockbatch/localcloud/edge"
)

// Server is a running router.
type Server struct {
	*httptest.Server
	Router *edge.Router
}

// Start serves a new router on a test server (over TLS when tls is true)
// and stops it when the test ends.
func Start(t testing.TB, tls bool) *Server {
	t.Helper()
	rt := edge.New(nil)
	var ts *httptest.Server
	if tls {
		ts = httptest.NewTLSServer(rt)
	} else {
		ts = httptest.NewServer(rt)
	}
	t.Cleanup(ts.Close)
	return &Server{Server: ts, Router: rt}
}

// Config returns an SDK configuration with static credentials whose HTTP
// client reaches this server whatever host name a request uses (so
// virtual-host-style S3 names like bucket.localhost work), and the base
// endpoint to set on clients: the server's URL with host "localhost".
func (s *Server) Config() (aws.Config, string) {
	addr := s.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	scheme := "http"
	var base *http.Transport
	if s.TLS != nil {
		scheme = "https"
		base = s.Client().Transport.(*http.Transport).Clone()
	} else {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	dialer := &net.Dialer{}
	base.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, addr)
	}
	if base.TLSClientConfig != nil {
		base.TLSClientConfig.InsecureSkipVerify = true
	}
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		HTTPClient:       &http.Client{Transport: base},
		RetryMaxAttempts: 1,
		// What config.LoadDefaultConfig chooses: checksums on every upload
		// that supports them.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
	return cfg, scheme + "://localhost:" + port
}

// APICode returns the error code of the service error in err's chain, or ""
// when there is none.
func APICode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
