//go:build tools

// Package tools pins Argo CD (one multi-call binary: application controller, repo server, CLI)
// and the kustomize its repo server runs. Do not add code here.
package tools

import (
	_ "github.com/argoproj/argo-cd/v3/cmd"
	_ "sigs.k8s.io/kustomize/kustomize/v5"
)
