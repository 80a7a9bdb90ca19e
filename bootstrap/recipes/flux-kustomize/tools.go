//go:build tools

// Package tools pins the Flux kustomize-controller that drkit's local platform runs. Do not add code here.
package tools

import _ "github.com/fluxcd/kustomize-controller"
