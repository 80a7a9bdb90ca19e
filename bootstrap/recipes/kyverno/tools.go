//go:build tools

// Package tools pins the Kyverno CLI that `drkit preflight` evaluates a fleet's Kyverno policies
// with, offline. Do not add code here.
package tools

import _ "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"
