/**
 * The Sealed Secrets controller of a local region (`drkit:sealedSecrets`), a host process beside
 * the reconciler's, the way a cluster runs it in `kube-system`. Every escrowed sealing key is put
 * in place before it starts, so it decrypts what Git holds on its first pass instead of making a
 * new key; a region without escrowed keys gets a new key from the controller, as a new cluster
 * does (`drkit keys backup` escrows it).
 */
import { join } from "node:path";

import type { Logger } from "../core/logger.ts";
import { isAlive } from "../core/pid.ts";
import type { KubeObject } from "../kube/index.ts";
import { controllerNamespace, keySecret } from "../sealed-secrets/sealing-key.ts";
import type { EscrowedKey } from "../sealed-secrets/escrow.ts";
import { readPid, stopByPidFile, type ProcessSpec } from "./processes.ts";
import { installCrds, regionKubectl, startComponent } from "./region-component.ts";
import { regionPaths } from "./region-state.ts";
import type { RegionState } from "./region-state.ts";
import { localKeyEscrow } from "./sealing-key-escrow.ts";
import type { RegionTools } from "./tools.ts";

export const sealedSecretsProcess = "sealed-secrets-controller";

/** Its loopback ports. */
export interface SealedSecretsPorts {
  readonly http: number;
  readonly metrics: number;
}

/** The process (pure): KUBECONFIG for the patched build, its namespace, loopback listeners. */
export function planSealedSecrets(input: {
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly ports: SealedSecretsPorts;
  readonly tools: Pick<RegionTools, "path">;
  readonly baseEnv: NodeJS.ProcessEnv;
}): ProcessSpec {
  return {
    name: sealedSecretsProcess,
    command: input.tools.path("sealed-secrets-controller"),
    args: [
      `--listen-addr=127.0.0.1:${input.ports.http}`,
      `--listen-metrics-addr=127.0.0.1:${input.ports.metrics}`,
      "--log-format=json",
    ],
    cwd: input.dir,
    env: { ...input.baseEnv, KUBECONFIG: input.kubeconfigPath, POD_NAMESPACE: controllerNamespace },
    pidFile: join(input.dir, "pids", `${sealedSecretsProcess}.pid`),
    logFile: join(input.dir, "logs", `${sealedSecretsProcess}.log`),
  };
}

/** The dir of a region's controller: pids and logs. */
export function sealedSecretsDir(stateDir: string, region: string): string {
  return join(regionPaths(stateDir, region).dir, "sealed-secrets");
}

/** The key Secrets to create before the controller starts (pure); the live ones are kept. */
export function keySecretsToPlace(
  escrowed: readonly EscrowedKey[],
  liveNames: ReadonlySet<string>,
): KubeObject[] {
  return escrowed.filter((k) => !liveNames.has(k.name)).map((k) => keySecret(k));
}

/**
 * Starts the controller when `ports` are given (CRD, escrowed keys, then the process), stops it
 * otherwise. Idempotent: a running controller is restarted only to load keys escrowed since.
 */
export async function syncSealedSecrets(input: {
  readonly stateDir: string;
  readonly state: RegionState;
  readonly ports: SealedSecretsPorts | undefined;
  readonly tools: RegionTools;
  readonly log: Logger;
}): Promise<void> {
  const { stateDir, state, tools, log } = input;
  const dir = sealedSecretsDir(stateDir, state.name);
  const pidFile = join(dir, "pids", `${sealedSecretsProcess}.pid`);
  if (input.ports === undefined) {
    await stopByPidFile(pidFile);
    return;
  }
  const pid = await readPid(pidFile);
  const running = pid !== undefined && (await isAlive(pid));

  const kubectl = regionKubectl(stateDir, state.name, tools);
  const crds = tools.sealedSecretsCrdsDir;
  if (crds === undefined)
    throw new Error("the toolchain has no SealedSecret CRD: install it with --with sealed-secrets");
  await installCrds(kubectl, crds, "the SealedSecret CRD");

  const escrowed = await localKeyEscrow(stateDir).list();
  let placed = 0;
  if (escrowed.length > 0) {
    const live = await kubectl("list the sealing keys", [
      "get",
      "secrets",
      "-n",
      controllerNamespace,
      "-l",
      "sealedsecrets.bitnami.com/sealed-secrets-key",
      "-o",
      "jsonpath={.items[*].metadata.name}",
    ]);
    const names = new Set(live.stdout.split(/\s+/).filter(Boolean));
    const place = keySecretsToPlace(escrowed, names);
    placed = place.length;
    if (place.length > 0) {
      // Through stdin, never argv: the private keys must not show in a process listing.
      await kubectl(
        "put the escrowed sealing keys in place",
        ["create", "-f", "-"],
        JSON.stringify({ apiVersion: "v1", kind: "List", items: place }),
      );
    }
    if (!running || placed > 0)
      log.success(
        `${escrowed.length} escrowed sealing key(s) in place (${place.length} added) before the Sealed Secrets controller starts`,
      );
  } else if (!running) {
    log.warn(
      "no sealing key is escrowed: the Sealed Secrets controller makes a new one; run `drkit keys backup` once it runs",
    );
  }

  // The controller reads its keys when it starts: one that runs loads keys added since by a restart.
  if (running && placed === 0) return;
  if (running) {
    log.action(`restarting "${sealedSecretsProcess}" to load ${placed} newly escrowed key(s)`);
    await stopByPidFile(pidFile);
  }
  const spec = planSealedSecrets({
    dir,
    kubeconfigPath: regionPaths(stateDir, state.name).kubeconfig,
    ports: input.ports,
    tools,
    baseEnv: tools.env(),
  });
  const { http } = input.ports;
  await startComponent({
    spec,
    region: state.name,
    timeoutMs: 60_000,
    log,
    ready: async () => (await fetch(`http://127.0.0.1:${http}/healthz`)).ok,
  });
}
