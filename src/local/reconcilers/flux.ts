/**
 * Flux's source-controller, kustomize-controller and helm-controller as host processes of a
 * local region, the way upstream's own `make run` runs them: outside the cluster, against its
 * API server with the region's admin kubeconfig (what the ServiceAccounts' cluster-admin binding
 * gives them on a cloud; a Kustomization's or HelmRelease's `serviceAccountName` still
 * impersonates), with their listeners on 127.0.0.1.
 */
import { join } from "node:path";

import { kustomizeFeatureGates } from "../../gitops/flux-install.ts";
import {
  fluxDriver,
  fluxControllerNames,
  type FluxControllerName,
} from "../../gitops/flux/driver.ts";
import type { HostProcess, HostReconciler } from "./types.ts";

const portNames = [
  "sourceStorage",
  "sourceMetrics",
  "sourceHealth",
  "kustomizeMetrics",
  "kustomizeHealth",
  "helmMetrics",
  "helmHealth",
] as const;

export const fluxHost: HostReconciler = {
  kind: "flux",
  namespace: fluxDriver.namespace,
  processNames: fluxControllerNames,
  portNames,
  dirs: ["storage"],
  crdsDir: (tools) => tools.fluxCrdsDir,
  startupObjects: [],
  plan(input) {
    const { dir, ports } = input;
    const env: NodeJS.ProcessEnv = {
      PATH: input.baseEnv.PATH,
      HOME: input.baseEnv.HOME,
      KUBECONFIG: input.kubeconfigPath,
      RUNTIME_NAMESPACE: fluxDriver.namespace,
    };
    const common = [
      "--enable-leader-election=false",
      // Upstream waits 30 s before re-checking a dependency; a restore is timed, so check often.
      "--requeue-dependency=2s",
      "--log-encoding=json",
      "--log-level=info",
      "--events-addr=",
    ];
    type PortName = (typeof portNames)[number];
    const addr = (name: PortName) => `127.0.0.1:${ports[name]}`;
    const process = (name: FluxControllerName, args: string[], health: PortName): HostProcess => ({
      spec: {
        name,
        command: input.tools.path(name),
        args: [...args, ...common],
        cwd: dir,
        env,
        pidFile: join(dir, "pids", `${name}.pid`),
        logFile: join(dir, "logs", `${name}.log`),
      },
      ready: { http: `http://${addr(health)}/readyz` },
    });
    return {
      "source-controller": process(
        "source-controller",
        [
          `--storage-path=${join(dir, "storage")}`,
          `--storage-addr=${addr("sourceStorage")}`,
          `--storage-adv-addr=${addr("sourceStorage")}`,
          `--metrics-addr=${addr("sourceMetrics")}`,
          `--health-addr=${addr("sourceHealth")}`,
        ],
        "sourceHealth",
      ),
      "kustomize-controller": process(
        "kustomize-controller",
        [
          `--metrics-addr=${addr("kustomizeMetrics")}`,
          `--health-addr=${addr("kustomizeHealth")}`,
          // Local regions need no fallback: decryption keys come from each Kustomization's secretRef.
          "--no-remote-bases=true",
          kustomizeFeatureGates,
        ],
        "kustomizeHealth",
      ),
      // Upstream's defaults otherwise: it downloads charts from source-controller's artifact URLs
      // (`--storage-adv-addr`, on the loopback) and installs them as the kubeconfig's user.
      "helm-controller": process(
        "helm-controller",
        [`--metrics-addr=${addr("helmMetrics")}`, `--health-addr=${addr("helmHealth")}`],
        "helmHealth",
      ),
    } satisfies Record<FluxControllerName, HostProcess>;
  },
};
