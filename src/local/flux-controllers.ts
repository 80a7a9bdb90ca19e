/**
 * Flux's source-controller and kustomize-controller as host processes of a local region, the way
 * upstream's own `make run` runs them: outside the cluster, against its API server, with their
 * listeners on 127.0.0.1.
 */
import { join } from "node:path";

import { kustomizeFeatureGates } from "../gitops/flux-install.ts";
import type { FluxControllerName } from "../gitops/flux/driver.ts";
import type { ProcessSpec } from "./processes.ts";
import type { RegionTools } from "./tools.ts";

/** The loopback ports a region's Flux controllers listen on. */
export interface FluxPorts {
  readonly sourceStorage: number;
  readonly sourceMetrics: number;
  readonly sourceHealth: number;
  readonly kustomizeMetrics: number;
  readonly kustomizeHealth: number;
}

export { fluxControllerNames, type FluxControllerName } from "../gitops/flux/driver.ts";

/** Plans the two controller processes of a region (pure). */
export function planFluxControllers(input: {
  readonly regionDir: string;
  readonly kubeconfigPath: string;
  readonly ports: FluxPorts;
  readonly tools: Pick<RegionTools, "path">;
  readonly baseEnv?: NodeJS.ProcessEnv;
}): Record<FluxControllerName, ProcessSpec> {
  const dir = join(input.regionDir, "flux");
  const env: NodeJS.ProcessEnv = {
    PATH: input.baseEnv?.PATH ?? process.env.PATH,
    HOME: input.baseEnv?.HOME ?? process.env.HOME,
    KUBECONFIG: input.kubeconfigPath,
    RUNTIME_NAMESPACE: "flux-system",
  };
  const common = [
    "--enable-leader-election=false",
    // Upstream waits 30 s before re-checking a dependency; a restore is timed, so check often.
    "--requeue-dependency=2s",
    "--log-encoding=json",
    "--log-level=info",
    "--events-addr=",
  ];
  const addr = (port: number) => `127.0.0.1:${port}`;
  const spec = (name: FluxControllerName, args: string[]): ProcessSpec => ({
    name,
    command: input.tools.path(name),
    args: [...args, ...common],
    cwd: dir,
    env,
    pidFile: join(dir, "pids", `${name}.pid`),
    logFile: join(dir, "logs", `${name}.log`),
  });
  return {
    "source-controller": spec("source-controller", [
      `--storage-path=${join(dir, "storage")}`,
      `--storage-addr=${addr(input.ports.sourceStorage)}`,
      `--storage-adv-addr=${addr(input.ports.sourceStorage)}`,
      `--metrics-addr=${addr(input.ports.sourceMetrics)}`,
      `--health-addr=${addr(input.ports.sourceHealth)}`,
    ]),
    "kustomize-controller": spec("kustomize-controller", [
      `--metrics-addr=${addr(input.ports.kustomizeMetrics)}`,
      `--health-addr=${addr(input.ports.kustomizeHealth)}`,
      // Local regions need no fallback: decryption keys come from each Kustomization's secretRef.
      "--no-remote-bases=true",
      kustomizeFeatureGates,
    ]),
  };
}

/** The readiness URL of each controller. */
export function fluxReadyUrls(ports: FluxPorts): Record<FluxControllerName, string> {
  return {
    "source-controller": `http://127.0.0.1:${ports.sourceHealth}/readyz`,
    "kustomize-controller": `http://127.0.0.1:${ports.kustomizeHealth}/readyz`,
  };
}
