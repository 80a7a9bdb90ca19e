//go:build tools

// Package tools pins the CNCF Distribution registry, the local platform's OCI registry for
// charts and Flux artifacts. Do not add code here.
package tools

import _ "github.com/distribution/distribution/v3/cmd/registry"
