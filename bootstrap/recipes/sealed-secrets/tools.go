//go:build tools

// Package tools pins the Sealed Secrets controller and kubeseal that drkit builds. The module
// calls itself github.com/bitnami/sealed-secrets since v0.40.0 (it was bitnami-labs before).
// The build replaces it with a copy patched by patch/kubeconfig.go (see src/toolchain/
// source-build.ts): upstream's controller only reads in-cluster credentials. Do not add code here.
package tools

import (
	_ "github.com/bitnami/sealed-secrets/cmd/controller"
	_ "github.com/bitnami/sealed-secrets/cmd/kubeseal"
)
