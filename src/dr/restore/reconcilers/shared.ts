/** What the restore drivers share: the workload kinds they health-check, the not-connected error. */
import { PreflightError } from "../../../core/errors.ts";
import type { StackTarget } from "../types.ts";

/** Kinds whose health the restore checks after the reconciler reports done (`group/Kind`). */
export const workloadKinds = new Set([
  "apps/Deployment",
  "apps/StatefulSet",
  "apps/DaemonSet",
  "batch/Job",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "/PersistentVolumeClaim",
]);

/** The field manager of everything the restore writes (pins and reconcile requests). */
export const restoreFieldManager = "drkit-restore";

/**
 * The field manager of the reconcile requests made after bootstrap (converge's kicks, the hand
 * back): its own, so a request that holds only an annotation never drops a pin
 * `restoreFieldManager` owns on the same object (server-side apply removes what a manager no
 * longer sends).
 */
export const requestFieldManager = "drkit-reconcile-request";

/** The error bootstrap raises when the stack's program has not connected the reconciler. */
export function notConnected(target: StackTarget, problems: readonly string[]): PreflightError {
  return new PreflightError(
    `the reconciler of stack "${target.stack}" is not connected: ${problems.join("; ")}: run \`drkit pulumi-env -- pulumi up --stack ${target.stack}\` so the stack's program creates them, then restore again`,
    { failures: [...problems] },
  );
}
