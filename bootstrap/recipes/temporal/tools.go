//go:build tools

// Package tools pins the Temporal server a local drkit runs for `--engine temporal`. Do not add code here.
package tools

import _ "go.temporal.io/server/cmd/server"
