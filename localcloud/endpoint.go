package localcloud

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// functionEndpoint serves the cloud on a loopback port of its own for the
// functions that run in processes: their SDK calls need a network address
// (AWS_ENDPOINT_URL), which a cloud used in-process, through AWSConfig,
// does not otherwise have. It listens from the first process started.
type functionEndpoint struct {
	mu   sync.Mutex
	srv  *http.Server
	addr string
}

// url returns the endpoint's URL, serving h there on first use.
func (e *functionEndpoint) url(h http.Handler) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv != nil {
		return e.addr, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	e.srv = &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = e.srv.Serve(ln) }()
	// An IP address rather than localhost, which may resolve to ::1 first;
	// S3 clients address buckets by path on an IP endpoint.
	e.addr = "http://" + ln.Addr().String()
	return e.addr, nil
}

// close stops serving.
func (e *functionEndpoint) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv != nil {
		_ = e.srv.Close()
		e.srv = nil
	}
}
