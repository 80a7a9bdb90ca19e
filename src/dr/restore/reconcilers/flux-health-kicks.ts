/**
 * What a Flux Kustomization's health check waits for (pure), so that converge can end the wait
 * as soon as it sees those objects healthy (`../health-kicks.ts`).
 *
 * kustomize-controller checks health by polling every 5 s (`checkHealth`, `WaitForSet` with
 * `Interval: 5 * time.Second`; the first poll at once), so a layer whose workloads become ready
 * just after the first poll waits up to 5 s more, and each layer of a `dependsOn` chain pays it
 * again. With the `CancelHealthCheckOnNewRevision` gate (drkit's local regions and recovery
 * profile run with it), a reconcile request cancels the running health check and requeues; the
 * new pass finds nothing to apply and its first poll passes.
 */
import {
  findCondition,
  inventoryOf,
  revisionMatches,
  type KubeObject,
  type ObjectRef,
} from "../../../kube/index.ts";
import { appliedAt, readsFleet } from "./flux-judge.ts";

/** kustomize-controller's Reconciling message while it polls health, with the revision. */
const healthCheckMessage = /^Running health checks for revision (\S+) with/;
/** Above this many objects the check costs more than the 5 s it can save. */
export const maxHealthKickObjects = 200;

/**
 * The objects a Kustomization's running health check waits for at `revision`: its inventory
 * (`wait: true`) or `spec.healthChecks`, without itself. Undefined when it is not checking
 * health at that revision, or drkit cannot judge the check as Flux does (`healthCheckExprs`,
 * more than `maxHealthKickObjects` objects).
 */
export function fluxHealthWaitingOn(obj: KubeObject, revision: string): ObjectRef[] | undefined {
  if (obj.kind !== "Kustomization" || !appliedAt(obj, revision)) return undefined;
  const reconciling = findCondition(obj, "Reconciling");
  const checked = healthCheckMessage.exec(reconciling?.message ?? "")?.[1];
  if (reconciling?.status !== "True" || checked === undefined) return undefined;
  if (readsFleet(obj) && !revisionMatches(checked, revision)) return undefined;
  if (findCondition(obj, "Ready")?.status === "True") return undefined;
  const spec = (obj.spec ?? {}) as {
    wait?: boolean;
    healthChecks?: { apiVersion?: string; kind?: string; name?: string; namespace?: string }[];
    healthCheckExprs?: unknown[];
  };
  if ((spec.healthCheckExprs?.length ?? 0) > 0) return undefined;
  const refs: ObjectRef[] = spec.wait
    ? inventoryOf(obj)
    : (spec.healthChecks ?? []).flatMap((h) =>
        h.kind && h.name
          ? [
              {
                apiVersion: h.apiVersion ?? "v1",
                kind: h.kind,
                name: h.name,
                ...(h.namespace ? { namespace: h.namespace } : {}),
              },
            ]
          : [],
      );
  const others = refs.filter(
    (r) =>
      !(
        r.kind === obj.kind &&
        r.name === obj.metadata.name &&
        r.namespace === obj.metadata.namespace
      ),
  );
  if (others.length === 0 || others.length > maxHealthKickObjects) return undefined;
  return others;
}
