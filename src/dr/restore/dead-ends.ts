/**
 * States in which the reconciler has said it will not get further on its own (pure): converge
 * reports them at once instead of waiting for its deadline.
 *
 * - suspended (`spec.suspend: true`): Flux does not reconcile it at all;
 * - `Stalled=True`: kstatus' own word for "will not make progress without a change";
 * - waiting for a dependency or a source that does not exist, once nothing else is making
 *   progress that could still create it;
 * - waiting in a `dependsOn` cycle: every member waits for another, none can start.
 *
 * Only objects whose spec is settled are judged: one listed in the inventory of a Kustomization
 * that is not done yet may still be rewritten by it (the spec in the cluster can be an older
 * commit's: a cycle Git has since mended is no dead end).
 */
import { findCondition, inventoryOf, type KubeObject, type ObjectRef } from "../../kube/index.ts";
import type { ReconcilerFailure } from "./reconcilers/types.ts";

/** What converge concluded about one object before looking for dead ends. */
export type ObjectState = "done" | "pending" | "failing";

/** `Kind/namespace/name` of a reconciler object (or of a ref to one), as converge keys them. */
export function reconcilerKey(obj: KubeObject | ObjectRef): string {
  const { name, namespace } = "metadata" in obj ? obj.metadata : obj;
  return `${obj.kind}/${namespace ?? ""}/${name}`;
}

/** The objects among `objects` that can never become Ready, each with why. */
export function findDeadEnds(
  objects: readonly KubeObject[],
  states: ReadonlyMap<string, ObjectState>,
): ReconcilerFailure[] {
  const byKey = new Map(objects.map((o) => [reconcilerKey(o), o] as const));
  const unsettled = unsettledKeys(objects, states);
  const dead = new Map<string, string>();
  for (const obj of objects) {
    const key = reconcilerKey(obj);
    if (states.get(key) === "done" || unsettled.has(key)) continue;
    const why = selfDeadEnd(obj);
    if (why) dead.set(key, why);
  }
  const waits = new Map<string, readonly string[]>();
  for (const obj of objects) {
    const key = reconcilerKey(obj);
    if (states.get(key) === "done" || dead.has(key) || unsettled.has(key)) continue;
    const on = waitingOn(obj);
    if (on.length > 0) waits.set(key, on);
  }
  // Something that is neither done, dead nor waiting may still create what others wait for.
  const progressing = objects.some((o) => {
    const key = reconcilerKey(o);
    return states.get(key) !== "done" && !dead.has(key) && !waits.has(key);
  });
  for (const [key, on] of waits) {
    const missing = on.filter((w) => !byKey.has(w));
    if (missing.length > 0 && !progressing) {
      dead.set(
        key,
        `waits for ${missing.join(", ")}, which does not exist and nothing still reconciling will create`,
      );
      continue;
    }
    const cycle = cycleThrough(key, waits);
    if (cycle) dead.set(key, `waits in a dependsOn cycle: ${[...cycle, cycle[0]].join(" -> ")}`);
  }
  return [...dead].map(([key, reason]) => ({ key, reason }));
}

/** Keys of the objects a Kustomization that is not done yet holds in its inventory. */
function unsettledKeys(
  objects: readonly KubeObject[],
  states: ReadonlyMap<string, ObjectState>,
): Set<string> {
  const keys = new Set<string>();
  for (const obj of objects) {
    if (states.get(reconcilerKey(obj)) === "done") continue;
    for (const ref of inventoryOf(obj)) keys.add(reconcilerKey(ref));
  }
  return keys;
}

function selfDeadEnd(obj: KubeObject): string | undefined {
  if ((obj.spec as { suspend?: boolean } | undefined)?.suspend === true) {
    const kind = obj.kind.toLowerCase();
    return `suspended (spec.suspend: true): Flux will not reconcile it; remove spec.suspend in Git or run \`flux resume ${kind} ${obj.metadata.name} -n ${obj.metadata.namespace ?? ""}\``;
  }
  const stalled = findCondition(obj, "Stalled");
  if (stalled?.status === "True")
    return `stalled: ${stalled.reason ?? "no reason"}${stalled.message ? `: ${stalled.message}` : ""}`;
  return undefined;
}

/**
 * The reconciler objects `obj` says it waits for (`Kind/namespace/name`): its dependsOn while
 * Flux reports `DependencyNotReady`, its source while Flux reports the source missing.
 */
export function waitingOn(obj: KubeObject): string[] {
  const ready = findCondition(obj, "Ready");
  if (ready?.status !== "False") return [];
  const namespace = obj.metadata.namespace ?? "";
  const spec = (obj.spec ?? {}) as {
    dependsOn?: { name?: string; namespace?: string }[];
    sourceRef?: { kind?: string; name?: string; namespace?: string };
  };
  if (ready.reason === "DependencyNotReady") {
    return (spec.dependsOn ?? [])
      .filter((d) => d.name)
      .map((d) => `${obj.kind}/${d.namespace ?? namespace}/${d.name}`);
  }
  const source = /^Source '([A-Za-z]+)\/([^/']+)\/([^']+)' not found/.exec(ready.message ?? "");
  if (source) return [`${source[1]}/${source[2]}/${source[3]}`];
  return [];
}

/** A cycle of waits that `start` is part of, in order; undefined when it is not in one. */
function cycleThrough(start: string, waits: ReadonlyMap<string, readonly string[]>) {
  const path: string[] = [];
  const visit = (key: string): string[] | undefined => {
    if (key === start && path.length > 0) return [...path];
    if (path.includes(key) || !waits.has(key)) return undefined;
    path.push(key);
    for (const next of waits.get(key)!) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    return undefined;
  };
  return visit(start);
}
