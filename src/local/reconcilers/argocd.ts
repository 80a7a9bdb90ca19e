/**
 * Argo CD as host processes of a local region, the way Argo CD's own local development runs it
 * (its Procfile): redis, the repo server and the application controller outside the cluster.
 * `ARGOCD_FAKE_IN_CLUSTER=true` makes the in-cluster destination (`https://kubernetes.default.svc`)
 * use the region's kubeconfig. One multi-call `argocd` binary plays each component, chosen by
 * `ARGOCD_BINARY_NAME`; the repo server finds `kustomize` and `git` on PATH.
 *
 * Every listener is on 127.0.0.1 except the controller's metrics and health port: upstream
 * binds it on all interfaces (`0.0.0.0:<--metrics-port>`) with no flag to change that.
 */
import { join } from "node:path";

import { PreflightError } from "../../core/errors.ts";
import { argocdDriver } from "../../gitops/argocd/driver.ts";
import type { KubeObject } from "../../kube/index.ts";
import type { HostProcess, HostReconciler } from "./types.ts";

const portNames = ["redis", "repoServer", "repoServerMetrics", "controllerMetrics"] as const;
type PortName = (typeof portNames)[number];

/**
 * The settings Argo CD's components read at startup (the controller exits without them); the
 * stack's program adds its data to them. Argo CD only sees settings labelled part-of argocd.
 */
const settings = (kind: "ConfigMap" | "Secret", name: string): KubeObject => ({
  apiVersion: "v1",
  kind,
  metadata: {
    name,
    namespace: argocdDriver.namespace,
    labels: { "app.kubernetes.io/part-of": "argocd" },
  },
  ...(kind === "Secret" ? { type: "Opaque" } : {}),
});
const startupObjects = [settings("ConfigMap", "argocd-cm"), settings("Secret", "argocd-secret")];

/** The repo server's kustomize plugin home (`KUSTOMIZE_PLUGIN_HOME`). */
const pluginHome = (dir: string) => join(dir, "kustomize-plugins");

export const argocdHost: HostReconciler = {
  kind: "argocd",
  namespace: argocdDriver.namespace,
  // The repo server and controller connect to redis; the controller to the repo server.
  processNames: ["argocd-redis", "argocd-repo-server", "argocd-application-controller"],
  portNames,
  dirs: ["home", "tls", "ssh", "gpg"],
  crdsDir(tools) {
    if (tools.argocdCrdsDir) return tools.argocdCrdsDir;
    throw new PreflightError(
      'Argo CD is not part of this toolchain: run "drkit toolchain install --with argocd"',
    );
  },
  startupObjects,
  links: ({ dir, tools }) => [
    // Where kustomize looks for a legacy exec plugin of apiVersion viaduct.ai/v1, kind ksops.
    {
      path: join(pluginHome(dir), "viaduct.ai", "v1", "ksops", "ksops"),
      target: tools.path("ksops"),
    },
  ],
  plan(input) {
    const { dir, ports } = input;
    const addr = (name: PortName) => `127.0.0.1:${ports[name]}`;
    const base: NodeJS.ProcessEnv = {
      PATH: input.baseEnv.PATH,
      HOME: join(dir, "home"),
      KUBECONFIG: input.kubeconfigPath,
      ARGOCD_TLS_DATA_PATH: join(dir, "tls"),
      ARGOCD_SSH_DATA_PATH: join(dir, "ssh"),
      ARGOCD_GNUPGHOME: join(dir, "gpg"),
      ARGOCD_GPG_ENABLED: "false",
    };
    const logging = ["--loglevel", "info", "--logformat", "json"];
    const process = (
      name: string,
      command: string,
      args: string[],
      env: NodeJS.ProcessEnv,
      ready: HostProcess["ready"],
    ): HostProcess => ({
      spec: {
        name,
        command,
        args,
        cwd: dir,
        env,
        pidFile: join(dir, "pids", `${name}.pid`),
        logFile: join(dir, "logs", `${name}.log`),
      },
      ready,
    });
    const argocd = input.tools.path("argocd");
    return {
      // Debian's redis-server (bootstrap/system-packages.sh): a cache, nothing persisted.
      "argocd-redis": process(
        "argocd-redis",
        "redis-server",
        [
          "--bind",
          "127.0.0.1",
          "--port",
          String(ports.redis),
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          dir,
        ],
        { PATH: base.PATH, HOME: base.HOME },
        { tcp: ports.redis! },
      ),
      "argocd-repo-server": process(
        "argocd-repo-server",
        argocd,
        [
          "--address",
          "127.0.0.1",
          "--port",
          String(ports.repoServer),
          "--metrics-address",
          "127.0.0.1",
          "--metrics-port",
          String(ports.repoServerMetrics),
          "--disable-tls",
          // Which commit a branch is at stays cached for 3 minutes upstream: a push would wait
          // that long before the controller's next comparison sees it.
          "--revision-cache-expiration",
          "15s",
          "--redis",
          addr("redis"),
          ...logging,
        ],
        {
          ...base,
          ARGOCD_BINARY_NAME: "argocd-repo-server",
          // SOPS files render through KSOPS (drkit's ksops, on PATH for exec KRM functions and
          // under the plugin home for legacy exec plugins), with the key and the Vault token.
          KUSTOMIZE_PLUGIN_HOME: pluginHome(dir),
          ...(input.ageKeyFile ? { SOPS_AGE_KEY_FILE: input.ageKeyFile } : {}),
          ...(input.vaultToken ? { VAULT_TOKEN: input.vaultToken } : {}),
        },
        { http: `http://${addr("repoServerMetrics")}/healthz` },
      ),
      "argocd-application-controller": process(
        "argocd-application-controller",
        argocd,
        [
          "--kubeconfig",
          input.kubeconfigPath,
          "--namespace",
          argocdDriver.namespace,
          "--redis",
          addr("redis"),
          "--repo-server",
          addr("repoServer"),
          "--repo-server-plaintext",
          "--metrics-port",
          String(ports.controllerMetrics),
          // Upstream compares every 120-180 s (resync plus jitter); a region of drkit's is timed,
          // so it compares every 30-35 s (a restore also asks for refreshes).
          "--app-resync",
          "30",
          "--app-resync-jitter",
          "5",
          ...logging,
        ],
        {
          ...base,
          ARGOCD_BINARY_NAME: "argocd-application-controller",
          ARGOCD_FAKE_IN_CLUSTER: "true",
          ARGOCD_CONTROLLER_REPLICAS: "1",
        },
        { http: `http://${addr("controllerMetrics")}/healthz` },
      ),
    };
  },
};
