package main

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/bedrockbatch/bedrockbatch/localcloud"
	"github.com/bedrockbatch/bedrockbatch/localcloud/console"
)

// consoleAddr is where a local run serves the cloud, so its console (and
// any SDK client) can watch the run: the port local serve uses by default.
const consoleAddr = "127.0.0.1:4566"

// serveConsole serves the cloud on consoleAddr, or on a free port when that
// one is taken, until ctx ends, and tells w the console's address.
func serveConsole(ctx context.Context, w io.Writer, cloud *localcloud.Cloud) {
	ln, err := net.Listen("tcp", consoleAddr)
	if err != nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		fmt.Fprintf(w, "console: not served: %v\n", err)
		return
	}
	go func() { _ = cloud.Serve(ctx, ln) }()
	fmt.Fprintf(w, "console: http://%s%s\n", ln.Addr(), console.Path)
}
