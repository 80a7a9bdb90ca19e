//go:build tools

// Package tools pins the KWOK commands that drkit's local platform runs. Do not add code here.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
	_ "sigs.k8s.io/kwok/cmd/kwokctl"
)
