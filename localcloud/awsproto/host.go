package awsproto

import (
	"context"
	"sync/atomic"
)

// hostKey carries a request's Host in its context.
type hostKey struct{}

// WithRequestHost returns ctx carrying the Host a request was sent to.
func WithRequestHost(ctx context.Context, host string) context.Context {
	return context.WithValue(ctx, hostKey{}, host)
}

// PublicHost is the host:port the local cloud is served on, which a
// service writes into the links of its answers (queue URLs, a message's
// unsubscribe and certificate links). The zero value is ready to use.
type PublicHost struct{ v atomic.Value }

// Set records the host:port the cloud is served on.
func (p *PublicHost) Set(host string) { p.v.Store(host) }

// For is the host a link in the answer to ctx's request names: the host
// the request was sent to, or for an in-process client (no host, or
// "localhost") the address the cloud is served on, if it is.
func (p *PublicHost) For(ctx context.Context) string {
	host, _ := ctx.Value(hostKey{}).(string)
	if host != "" && host != "localhost" {
		return host
	}
	if h, _ := p.v.Load().(string); h != "" {
		return h
	}
	return "localhost"
}
