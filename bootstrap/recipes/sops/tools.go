//go:build tools

// Package tools pins the SOPS command that drkit uses to encrypt secrets in sample fleets. Do not add code here.
package tools

import _ "github.com/getsops/sops/v3/cmd/sops"
