//go:build tools

// Package tools pins the Temporal web UI a local drkit serves beside its Temporal server. Do not add code here.
package tools

import _ "github.com/temporalio/ui-server/v2/cmd/server"
