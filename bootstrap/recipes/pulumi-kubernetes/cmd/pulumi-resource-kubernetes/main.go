// Command pulumi-resource-kubernetes serves the Pulumi Kubernetes provider.
//
// Upstream's main package embeds schema files that its `go generate` step writes next to it and
// that are not part of the published module, so drkit's toolchain build writes them here
// (schema-embed.json with the version set, terraform-mapping-embed.json) before `go build`.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
