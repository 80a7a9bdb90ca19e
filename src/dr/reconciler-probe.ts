/**
 * Detects a lost reconciler controller during a restore and brings it back.
 *
 * Local regions run Flux's controllers as host processes: the probe checks their pids and
 * restarts them the way `drkit local up` does. On clouds the controllers are Deployments that
 * Kubernetes restarts itself; the probe reports them when unavailable and lets Kubernetes heal.
 */
import type { Logger } from "../core/logger.ts";
import { fluxControllerNames } from "../local/flux-controllers.ts";
import { isAlive } from "../core/pid.ts";
import { readPid } from "../local/processes.ts";
import { startFluxControllers } from "../local/region.ts";
import { readRegionState, regionPaths } from "../local/region-state.ts";
import type { RegionTools } from "../local/tools.ts";
import type { Kube } from "../kube/index.ts";
import { evaluateHealth } from "../kube/index.ts";
import type { ReconcilerProbe } from "./restore/types.ts";

/** Probe for a local region's host-process controllers. */
export function createLocalReconcilerProbe(options: {
  readonly stateDir: string;
  readonly tools: RegionTools;
  readonly log: Logger;
}): ReconcilerProbe {
  return {
    async down(target) {
      const paths = regionPaths(options.stateDir, target.region);
      const down: string[] = [];
      for (const name of fluxControllerNames) {
        const pid = await readPid(`${paths.fluxDir}/pids/${name}.pid`);
        if (pid === undefined || !(await isAlive(pid))) down.push(name);
      }
      return down;
    },
    async recover(target) {
      const state = await readRegionState(options.stateDir, target.region);
      if (!state)
        throw new Error(
          `region "${target.region}" has no state: run \`drkit local up ${target.region}\``,
        );
      await startFluxControllers(options.stateDir, state, options.tools, options.log);
    },
  };
}

/** Probe for in-cluster controllers (clouds): reports unavailable Deployments; Kubernetes restarts them. */
export function createClusterReconcilerProbe(kube: () => Kube): ReconcilerProbe {
  return {
    async down() {
      const down: string[] = [];
      for (const name of fluxControllerNames) {
        const deployment = await kube().get({
          apiVersion: "apps/v1",
          kind: "Deployment",
          namespace: "flux-system",
          name,
        });
        if (!deployment || !evaluateHealth(deployment).healthy) down.push(name);
      }
      return down;
    },
    async recover(_target, components) {
      // The Deployment controller restarts crashed pods; waiting is all a restore can do here.
      void components;
    },
  };
}
