// Command vault-dev-server is drkit's local Vault: Vault's own core, HTTP API and transit
// secrets engine, on one listener, with its storage in a directory. It is for local regions
// only, like `vault server -dev`, but its data outlives a restart: on first start it initializes
// Vault with a single unseal key, keeps that key and the root token in the data dir (mode 0600),
// and unseals itself with them on every later start. Transit is mounted at transit/.
//
// It is not `vault server -dev` because Vault's command package pulls in every builtin plugin
// and cloud SDK; this builds in a fraction of that time from the same module.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	aeadwrapper "github.com/hashicorp/go-kms-wrapping/wrappers/aead/v2"
	"github.com/hashicorp/vault/builtin/logical/transit"
	"github.com/hashicorp/vault/helper/namespace"
	vaulthttp "github.com/hashicorp/vault/http"
	"github.com/hashicorp/vault/internalshared/configutil"
	"github.com/hashicorp/vault/sdk/helper/consts"
	"github.com/hashicorp/vault/sdk/logical"
	"github.com/hashicorp/vault/sdk/physical/file"
	"github.com/hashicorp/vault/vault"
	vaultseal "github.com/hashicorp/vault/vault/seal"
)

// version is stamped by the build (-X main.version=v1.21.4).
var version = "dev"

// credentials is what the data dir keeps beside the storage: enough to unseal and to act as root.
type credentials struct {
	UnsealKey string `json:"unsealKey"`
	RootToken string `json:"rootToken"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8200", "address the HTTP API listens on")
	dataDir := flag.String("data-dir", "", "directory for Vault's storage and credentials (required)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Printf("vault-dev-server %s\n", version)
		return
	}
	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "vault-dev-server: -data-dir is required")
		os.Exit(2)
	}
	if err := run(*listen, *dataDir); err != nil {
		fmt.Fprintf(os.Stderr, "vault-dev-server: %v\n", err)
		os.Exit(1)
	}
}

func run(listen, dataDir string) error {
	logger := hclog.New(&hclog.LoggerOptions{Name: "vault", Level: hclog.Info, Output: os.Stderr})
	if err := os.MkdirAll(filepath.Join(dataDir, "storage"), 0o700); err != nil {
		return err
	}
	storage, err := file.NewFileBackend(map[string]string{"path": filepath.Join(dataDir, "storage")}, logger)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	access, err := vaultseal.NewAccessFromSealWrappers(logger, 1, true, []*vaultseal.SealWrapper{
		vaultseal.NewSealWrapper(aeadwrapper.NewShamirWrapper(), 1, "shamir", "shamir", false, true),
	})
	if err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	core, err := vault.NewCore(&vault.CoreConfig{
		Physical:        storage,
		Seal:            vault.NewDefaultSeal(access),
		LogicalBackends: map[string]logical.Factory{"transit": transit.Factory},
		BuiltinRegistry: transitOnly{},
		DisableMlock:    true,
		Logger:          logger,
		RedirectAddr:    "http://" + listen,
	})
	if err != nil {
		return fmt.Errorf("core: %w", err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	ctx := namespace.ContextWithNamespace(context.Background(), namespace.RootNamespace)
	if err := initAndUnseal(ctx, core, filepath.Join(dataDir, "credentials.json")); err != nil {
		return err
	}
	handler := vaulthttp.Handler.Handler(&vault.HandlerProperties{
		Core:           core,
		ListenerConfig: &configutil.Listener{Address: listen},
	})
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-stop
		_ = server.Close()
	}()
	fmt.Fprintf(os.Stderr, "vault-dev-server %s: listening on http://%s, transit mounted at transit/\n", version, listen)
	if err := server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return core.Shutdown()
}

// initAndUnseal initializes Vault on its first start (one key share, transit mounted) and
// unseals it with the kept key on every start.
func initAndUnseal(ctx context.Context, core *vault.Core, credentialsFile string) error {
	initialized, err := core.Initialized(ctx)
	if err != nil {
		return err
	}
	var creds credentials
	if !initialized {
		result, err := core.Initialize(ctx, &vault.InitParams{
			BarrierConfig: &vault.SealConfig{SecretShares: 1, SecretThreshold: 1, Name: "shamir"},
		})
		if err != nil {
			return fmt.Errorf("initialize: %w", err)
		}
		creds = credentials{
			UnsealKey: base64.StdEncoding.EncodeToString(result.SecretShares[0]),
			RootToken: result.RootToken,
		}
		data, _ := json.Marshal(creds)
		if err := os.WriteFile(credentialsFile, data, 0o600); err != nil {
			return err
		}
	} else {
		data, err := os.ReadFile(credentialsFile)
		if err != nil {
			return fmt.Errorf("vault is initialized but its credentials are gone (%w): remove the data dir to start over", err)
		}
		if err := json.Unmarshal(data, &creds); err != nil {
			return fmt.Errorf("%s: %w", credentialsFile, err)
		}
	}
	key, err := base64.StdEncoding.DecodeString(creds.UnsealKey)
	if err != nil {
		return err
	}
	if unsealed, err := core.Unseal(key); err != nil || !unsealed {
		return fmt.Errorf("unseal: %v", err)
	}
	for i := 0; i < 50; i++ {
		if leader, _, _, err := core.Leader(); err == vault.ErrHANotEnabled || (err == nil && leader) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if initialized {
		return nil
	}
	resp, err := core.HandleRequest(ctx, &logical.Request{
		Operation:   logical.UpdateOperation,
		ClientToken: creds.RootToken,
		Path:        "sys/mounts/transit",
		Data:        map[string]interface{}{"type": "transit"},
	})
	if err == nil && resp != nil && resp.IsError() {
		err = resp.Error()
	}
	if err != nil {
		return fmt.Errorf("mount transit: %w", err)
	}
	return nil
}

// transitOnly is the builtin plugin registry: the transit engine and nothing else.
type transitOnly struct{}

func (transitOnly) Contains(name string, t consts.PluginType) bool {
	return name == "transit" && t == consts.PluginTypeSecrets
}

func (transitOnly) Get(name string, t consts.PluginType) (func() (interface{}, error), bool) {
	if name != "transit" || t != consts.PluginTypeSecrets {
		return nil, false
	}
	return func() (interface{}, error) { return logical.Factory(transit.Factory), nil }, true
}

func (transitOnly) Keys(t consts.PluginType) []string {
	if t == consts.PluginTypeSecrets {
		return []string{"transit"}
	}
	return nil
}

func (transitOnly) DeprecationStatus(name string, t consts.PluginType) (consts.DeprecationStatus, bool) {
	if name == "transit" && t == consts.PluginTypeSecrets {
		return consts.Supported, true
	}
	return consts.Unknown, false
}

func (transitOnly) IsBuiltinEntPlugin(string, consts.PluginType) bool { return false }
