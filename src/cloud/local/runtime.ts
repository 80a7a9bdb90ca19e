/**
 * The local platform's `RegionRuntime`: regions are drkit's own host processes under the state
 * dir, so their kubeconfig is a file there, lost controllers are restarted the way
 * `drkit local up` starts them, the fleet's age key is escrowed in the local secret store, and
 * a drill can kill the region or its reconciler for real.
 */
import { localKeyEscrow } from "../../local/sealing-key-escrow.ts";
import { existsSync } from "node:fs";

import type { Logger } from "../../core/logger.ts";
import { isAlive } from "../../core/pid.ts";
import type { RegionRuntime } from "../../dr/region-runtime.ts";
import { readPid } from "../../local/processes.ts";
import {
  killController,
  killRegion,
  reconcilerPidFiles,
  regionProcesses,
  retuneReconciler,
  startReconciler,
} from "../../local/region.ts";
import { readRegionState, regionPaths } from "../../local/region-state.ts";
import { localKeyFile, readLocalVaultToken } from "../../local/secret-store.ts";
import type { RegionTools } from "../../local/tools.ts";

export interface LocalRuntimeOptions {
  readonly stateDir: string;
  /** The toolchain's binaries, to restart controllers (loaded only then). */
  readonly tools: () => Promise<RegionTools>;
  readonly log: Logger;
}

export function createLocalRuntime(options: LocalRuntimeOptions): RegionRuntime {
  const { stateDir } = options;
  const kubeconfig = (region: string) => regionPaths(stateDir, region).kubeconfig;
  return {
    platform: "local",
    async kubeconfigPath(target) {
      const path = kubeconfig(target.region);
      return existsSync(path) ? path : undefined;
    },
    bringUpHint: (target) =>
      `bring the region up with \`drkit local up ${target.region}\` or \`drkit restore --stack ${target.stack}\``,
    // The region's operations write it; the program's outputs do not carry it.
    kubeconfigAfterUp: async (target) => kubeconfig(target.region),
    escrowedKeyFile: () => localKeyFile(stateDir),
    keyEscrow: () => localKeyEscrow(stateDir),
    vaultToken: () => readLocalVaultToken(stateDir),
    async controllersDown(target, driver) {
      const down: string[] = [];
      const pidFiles = await reconcilerPidFiles(stateDir, target.region);
      for (const name of driver.controllers) {
        const file = pidFiles.get(name);
        const pid = file === undefined ? undefined : await readPid(file);
        if (pid === undefined || !(await isAlive(pid))) down.push(name);
      }
      return down;
    },
    async recoverControllers(target, driver) {
      const state = await readRegionState(stateDir, target.region);
      if (!state)
        throw new Error(
          `region "${target.region}" has no state: run \`drkit local up ${target.region}\``,
        );
      if (state.reconciler !== driver.kind)
        throw new Error(
          `region "${target.region}" runs ${state.reconciler}, the stack asks for ${driver.displayName}: run \`drkit restore --stack ${target.stack}\` to re-create it`,
        );
      await startReconciler(stateDir, state, await options.tools(), options.log);
    },
    tuneReconciler: async (target, _driver, tuning) =>
      retuneReconciler(stateDir, target.region, tuning, await options.tools(), options.log),
    hostProcesses: {
      status: (target) => regionProcesses(stateDir, target.region),
    },
    hostFailures: {
      async killRegion(target) {
        const pids = await killRegion(stateDir, target.region);
        return `killed ${pids.length} processes of region "${target.region}" (control plane and reconciler)`;
      },
      async killControllers(target, driver) {
        const killed: string[] = [];
        for (const c of driver.controllers) {
          if ((await killController(stateDir, target.region, c)) !== undefined) killed.push(c);
        }
        return killed;
      },
    },
  };
}
