// Command argocd is drkit's trimmed build of Argo CD's multi-call binary: only the components a
// local region runs (application controller, repo server, and the git askpass helper the repo
// server runs for repository credentials), chosen by ARGOCD_BINARY_NAME as upstream's cmd/main.go
// does. Leaving out the API server, UI, Dex, notifications, ApplicationSet and the CLI roughly
// halves the cold build.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	appcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller/commands"
	gitaskpass "github.com/argoproj/argo-cd/v3/cmd/argocd-git-ask-pass/commands"
	reposerver "github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server/commands"
	"github.com/argoproj/argo-cd/v3/util/log"
)

func init() {
	// As upstream: klog uses the configured log level and format.
	klog.SetLogger(log.NewLogrusLogger(log.NewWithCurrentConfig()))
}

func main() {
	name := filepath.Base(os.Args[0])
	if val := os.Getenv("ARGOCD_BINARY_NAME"); val != "" {
		name = val
	}
	var command *cobra.Command
	switch name {
	case "argocd-application-controller":
		command = appcontroller.NewCommand()
	case "argocd-repo-server":
		command = reposerver.NewCommand()
	case "argocd-git-ask-pass":
		command = gitaskpass.NewCommand()
	default:
		fmt.Fprintf(os.Stderr, "drkit's argocd runs argocd-application-controller, argocd-repo-server or argocd-git-ask-pass (set ARGOCD_BINARY_NAME), not %q\n", name)
		os.Exit(2)
	}
	if err := command.Execute(); err != nil {
		os.Exit(1)
	}
}
