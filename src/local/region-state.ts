/**
 * Where a local region keeps its files, and its saved state (pure paths + small JSON I/O).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

import type { ReconcilerKind } from "../config/index.ts";
import type { ReconcilerTuning } from "../gitops/recovery-tuning.ts";
import { ConfigError } from "../core/errors.ts";
import type { ControlPlanePorts } from "./kwok-config.ts";
import type { KyvernoPorts } from "./kyverno.ts";
import type { SealedSecretsPorts } from "./sealed-secrets.ts";

/** What `up` records about a region, so later commands and `down` can find everything. */
export interface RegionState {
  readonly name: string;
  readonly createdAt: string;
  readonly zones: readonly string[];
  readonly nodeCount: number;
  readonly apiServerUrl: string;
  /** The reconciler the region runs as host processes. */
  readonly reconciler: ReconcilerKind;
  /** Its processes' loopback ports, by `HostReconciler.portNames`. */
  readonly reconcilerPorts: Readonly<Record<string, number>>;
  readonly controlPlanePorts: ControlPlanePorts;
  /**
   * Flags and environment the reconciler's processes run with on top of their own: the
   * recovery profile while a restore runs. @default - none (steady settings)
   */
  readonly reconcilerTuning?: ReconcilerTuning;
  /** The Sealed Secrets controller's ports, when the region runs it. @default - it does not */
  readonly sealedSecretsPorts?: SealedSecretsPorts;
  /** Kyverno's admission controller's ports, when the region runs it. @default - it does not */
  readonly kyvernoPorts?: KyvernoPorts;
}

/** The state as drkit 0.x wrote it, before regions could run Argo CD. */
interface LegacyRegionState extends Omit<RegionState, "reconciler" | "reconcilerPorts"> {
  readonly fluxPorts?: Readonly<Record<string, number>>;
}

export function regionPaths(stateDir: string, name: string) {
  const dir = join(stateDir, "regions", name);
  const kwokWorkdir = join(dir, "kwok");
  return {
    dir,
    kwokWorkdir,
    clusterDir: join(kwokWorkdir, "clusters", name),
    kwokKubeconfig: join(kwokWorkdir, "clusters", name, "kubeconfig.yaml"),
    kwokConfig: join(dir, "kwokctl.yaml"),
    kubeconfig: join(dir, "kubeconfig.yaml"),
    stateFile: join(dir, "region.json"),
    /** A reconciler's pids, logs and storage. */
    reconcilerDir: (kind: ReconcilerKind) => join(dir, kind),
  };
}

/**
 * Validates a region name: it becomes a kwokctl cluster name, a directory and a label value.
 */
export function validateRegionName(name: string): void {
  if (!/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(name)) {
    throw new ConfigError(
      `region name must be 2-32 lowercase letters, digits and "-", starting with a letter, got "${name}": use a name like "local-a"`,
      { key: "region" },
    );
  }
}

export async function readRegionState(
  stateDir: string,
  name: string,
): Promise<RegionState | undefined> {
  const file = regionPaths(stateDir, name).stateFile;
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(await readFile(file, "utf8")) as RegionState | LegacyRegionState;
    if ("reconciler" in state) return state;
    const { fluxPorts, ...rest } = state;
    return { ...rest, reconciler: "flux", reconcilerPorts: fluxPorts ?? {} };
  } catch {
    return undefined;
  }
}

export async function writeRegionState(stateDir: string, state: RegionState): Promise<void> {
  const paths = regionPaths(stateDir, state.name);
  await mkdir(paths.dir, { recursive: true });
  const tmp = `${paths.stateFile}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + "\n");
  await rename(tmp, paths.stateFile);
}
