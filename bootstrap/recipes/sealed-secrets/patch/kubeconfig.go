package controller

import (
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// restConfig is drkit's one change to the controller: it reads the kubeconfig KUBECONFIG
// names, when set, instead of the in-cluster service account, so the controller runs as a
// host process beside a local region's API server.
func restConfig(inCluster func() (*rest.Config, error)) (*rest.Config, error) {
	if path := os.Getenv("KUBECONFIG"); path != "" {
		return clientcmd.BuildConfigFromFlags("", path)
	}
	return inCluster()
}
