package awsproto

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

type requestIDKey struct{}

// NewRequestID returns a fresh request id shaped like the services' own
// (8-4-4-4-12 hexadecimal digits).
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or a new one when ctx
// carries none (a handler used without the edge router).
func RequestID(ctx context.Context) string {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		return id
	}
	return NewRequestID()
}

// StampRequestID gives r a request id (unless its context already carries
// one), sets the response headers the SDKs read it from (x-amzn-RequestId
// for JSON services, x-amz-request-id and x-amz-id-2 for S3), and returns the
// request carrying the id in its context.
func StampRequestID(w http.ResponseWriter, r *http.Request) *http.Request {
	id, ok := r.Context().Value(requestIDKey{}).(string)
	if !ok {
		id = NewRequestID()
		r = r.WithContext(WithRequestID(r.Context(), id))
	}
	h := w.Header()
	h.Set("X-Amzn-Requestid", id)
	h.Set("X-Amz-Request-Id", id)
	h.Set("X-Amz-Id-2", id)
	return r
}
