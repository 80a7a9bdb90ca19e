// Command pulumi-language-nodejs is drkit's Node.js language host for the Pulumi CLI.
//
// Upstream's host lives in its own Go module that the Go module proxy reachable from drkit's
// machines does not serve, so drkit builds this small host instead. It implements the parts of
// the LanguageRuntime protocol that `pulumi up/preview/destroy` use: it reports the resource
// plugins the program's node_modules need and runs the program with @pulumi/pulumi's own
// `cmd/run` entry point, exactly as upstream does. Everything else answers Unimplemented, which
// the CLI treats as "not supported".
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

func main() {
	// The CLI passes the engine address as the last positional argument; older CLIs also pass
	// -root and -tracing, which are accepted and ignored.
	flag.String("tracing", "", "ignored: tracing endpoint")
	flag.String("root", "", "ignored: project root (sent through Handshake instead)")
	flag.Parse()
	engineAddress := ""
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[len(args)-1]
	}

	host := newHost(engineAddress)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The CLI reads the port from our first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: server stopped: %v\n", err)
		os.Exit(1)
	}
}
