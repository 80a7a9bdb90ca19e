//go:build tools

// Package tools pins the Flux source-controller that drkit's local platform runs. Do not add code here.
package tools

import _ "github.com/fluxcd/source-controller"
