// Command etcd is the etcd server entry point, built from the published etcd server module.
//
// Upstream's own main package lives in the repository root module, which the Go module proxy
// does not serve at v3.6.x; its body is exactly this call.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
