//go:build tools

// Package tools pins the Kyverno CLI that `drkit preflight` evaluates a fleet's Kyverno policies
// with, offline, and the admission controller a local region runs for `drkit:kyverno`. Do not
// add code here.
package tools

import (
	_ "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"
	_ "github.com/kyverno/kyverno/cmd/kyverno"
)
