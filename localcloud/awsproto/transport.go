package awsproto

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// HandlerTransport is an http.RoundTripper that serves requests from a
// handler in the same process, without a network connection. Response
// bodies stream: the handler runs while the client reads, so large objects
// are never held in memory. It lets components of the local cloud reach
// each other through the official SDK clients, as they would in AWS.
type HandlerTransport struct {
	Handler http.Handler
}

// RoundTrip implements http.RoundTripper.
func (t HandlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	sreq := req.Clone(req.Context())
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:0"
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	if sreq.Body == nil {
		sreq.Body = http.NoBody
	}
	sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1

	pr, pw := io.Pipe()
	rw := &pipeResponse{header: http.Header{}, body: pw, ready: make(chan struct{})}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				rw.fail(fmt.Errorf("handler panicked: %v", p))
				return
			}
			rw.WriteHeader(http.StatusOK)
			_ = pw.Close()
		}()
		t.Handler.ServeHTTP(rw, sreq)
	}()
	select {
	case <-rw.ready:
	case <-req.Context().Done():
		_ = pr.CloseWithError(req.Context().Err())
		return nil, req.Context().Err()
	}
	if rw.err != nil {
		return nil, rw.err
	}
	resp := &http.Response{
		Status:        fmt.Sprintf("%d %s", rw.status, http.StatusText(rw.status)),
		StatusCode:    rw.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rw.sent,
		Body:          pr,
		ContentLength: -1,
		Request:       req,
	}
	if n, err := strconv.ParseInt(rw.sent.Get("Content-Length"), 10, 64); err == nil {
		resp.ContentLength = n
	}
	if req.Method == http.MethodHead {
		_ = pr.Close()
		resp.Body = http.NoBody
	}
	return resp, nil
}

// pipeResponse is the http.ResponseWriter side of HandlerTransport.
type pipeResponse struct {
	header http.Header
	sent   http.Header
	status int
	body   *io.PipeWriter
	once   sync.Once
	ready  chan struct{}
	err    error
}

func (p *pipeResponse) Header() http.Header { return p.header }

func (p *pipeResponse) WriteHeader(status int) {
	p.once.Do(func() {
		p.status = status
		p.sent = p.header.Clone()
		close(p.ready)
	})
}

func (p *pipeResponse) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return p.body.Write(b)
}

// Flush is a no-op: every Write already reaches the reader.
func (p *pipeResponse) Flush() {}

func (p *pipeResponse) fail(err error) {
	p.once.Do(func() {
		p.err = err
		close(p.ready)
	})
	_ = p.body.CloseWithError(err)
}
