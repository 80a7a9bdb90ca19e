/**
 * Dependency kicks: Flux re-checks a Kustomization that waits on its `dependsOn` only every
 * `--requeue-dependency` (30 s upstream, 2 s on local regions). When the restore sees every
 * dependency of a waiting Kustomization Ready at the target revision, it requests a reconcile of
 * that Kustomization at once, as `flux reconcile kustomization` does, instead of waiting for the
 * timer (pure planning here; converge applies the annotation).
 */
import { evaluateHealth, findCondition, type KubeObject } from "../../kube/index.ts";
import { reconcilerKey } from "./dead-ends.ts";
import { readsFleet, requestPending } from "./reconcilers/flux-judge.ts";

/** How soon the same Kustomization may be kicked again when the first kick did not start it. */
export const rekickAfterMs = 1_000;

/**
 * The Kustomizations to kick now: waiting with `DependencyNotReady` although every dependency
 * is Ready at `revision`, no reconcile request pending (the last one kicked it, and it has not
 * got to it yet), and not kicked in the last `rekickAfterMs` (`kickedAt`: key → ms).
 */
export function planDependencyKicks(
  objects: readonly KubeObject[],
  revision: string,
  kickedAt: ReadonlyMap<string, number>,
  nowMs: number,
): KubeObject[] {
  const byKey = new Map(objects.map((o) => [reconcilerKey(o), o]));
  return objects.filter((obj) => {
    const ready = findCondition(obj, "Ready");
    if (ready?.status !== "False" || ready.reason !== "DependencyNotReady") return false;
    if (requestPending(obj)) return false;
    const last = kickedAt.get(reconcilerKey(obj));
    if (last !== undefined && nowMs - last < rekickAfterMs) return false;
    const deps = dependenciesOf(obj);
    return (
      deps.length > 0 &&
      deps.every((key) => {
        const dep = byKey.get(key);
        return (
          dep !== undefined && evaluateHealth(dep, readsFleet(dep) ? { revision } : {}).healthy
        );
      })
    );
  });
}

/** `Kind/namespace/name` of each `dependsOn` entry (same kind, namespace defaulting to the object's). */
function dependenciesOf(obj: KubeObject): string[] {
  const namespace = obj.metadata.namespace ?? "";
  const spec = (obj.spec ?? {}) as { dependsOn?: { name?: string; namespace?: string }[] };
  return (spec.dependsOn ?? [])
    .filter((d) => d.name)
    .map((d) => `${obj.kind}/${d.namespace ?? namespace}/${d.name}`);
}

/** The server-side apply patch that requests a reconcile (what `flux reconcile` annotates). */
export function kickPatch(obj: KubeObject, requestedAt: string): KubeObject {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: obj.metadata.name,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      annotations: { "reconcile.fluxcd.io/requestedAt": requestedAt },
    },
  };
}
