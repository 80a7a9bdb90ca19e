//go:build tools

// Package tools pins the Pulumi CLI that drkit runs. Do not add code here.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
