//go:build tools

// Package tools pins Flux's helm-controller and the helm CLI (verify's `helm template`) that
// drkit's local platform runs; one module so both build against one Helm. Do not add code here.
package tools

import (
	_ "github.com/fluxcd/helm-controller"
	_ "helm.sh/helm/v4/cmd/helm"
)
