/**
 * Sends a kick (a reconcile request) only while the reconciler object is as the kick saw it: the
 * patch carries the object's `resourceVersion`, so the API server refuses it (409 Conflict) once
 * the object changed. A kick decided on a Kustomization still checking health must not reach it
 * after it finished: with `CancelHealthCheckOnNewRevision` the request starts one more full pass,
 * and the Kustomizations that depend on it wait for that pass too.
 */
import { isConflict, type Kube, type KubeObject } from "../../kube/index.ts";
import { requestFieldManager } from "./reconcilers/shared.ts";

/** `patch` applied as a reconcile request if `seen` is still current; false when it was not. */
export async function sendKick(
  kube: Pick<Kube, "apply">,
  patch: KubeObject,
  seen: KubeObject,
): Promise<boolean> {
  const resourceVersion = seen.metadata.resourceVersion;
  const guarded = resourceVersion
    ? { ...patch, metadata: { ...patch.metadata, resourceVersion } }
    : patch;
  try {
    await kube.apply(guarded, { fieldManager: requestFieldManager, force: true });
    return true;
  } catch (err) {
    if (isConflict(err)) return false;
    throw err;
  }
}
