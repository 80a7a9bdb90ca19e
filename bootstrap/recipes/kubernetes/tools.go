//go:build tools

// Package tools pins the Kubernetes control-plane commands that drkit's local platform runs.
// Generated recipe: see bootstrap/README.md. Do not add code here.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
