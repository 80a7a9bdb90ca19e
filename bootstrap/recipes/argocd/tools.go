//go:build tools

// Package main's tools pin the kustomize Argo CD's repo server runs. Do not add code here.
package main

import _ "sigs.k8s.io/kustomize/kustomize/v5"
