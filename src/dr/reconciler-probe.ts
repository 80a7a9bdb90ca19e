/**
 * Detects a lost reconciler controller during a restore and brings it back, through the region's
 * runtime (local: host processes it restarts; clouds: Deployments Kubernetes restarts) and the
 * stack's reconciler driver (which controllers).
 */
import { reconcilerDriver } from "../gitops/reconciler-driver.ts";
import type { RuntimeFor } from "./region-runtime.ts";
import type { ReconcilerProbe } from "./restore/types.ts";

export function createReconcilerProbe(runtimeFor: RuntimeFor): ReconcilerProbe {
  return {
    down: (target) =>
      runtimeFor(target.platform).controllersDown(target, reconcilerDriver(target.reconciler)),
    recover: (target, components) =>
      runtimeFor(target.platform).recoverControllers(
        target,
        reconcilerDriver(target.reconciler),
        components,
      ),
    tune: async (target, tuning) =>
      runtimeFor(target.platform).tuneReconciler?.(
        target,
        reconcilerDriver(target.reconciler),
        tuning,
      ),
  };
}
