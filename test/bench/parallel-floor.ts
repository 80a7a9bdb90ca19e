/**
 * The benchmark's physical floor: the same objects written by parallel server-side apply with
 * N requests in flight, into a fresh region, and the Deployments waited for. A sweep of N (each
 * level into a namespace of its own, so every level creates objects as a restore does) keeps
 * the fastest level: what the API server itself can take in on this machine.
 *
 * The planning is pure (`retargetObjects`, `pickFastest`); `measureParallelFloor` does the writes.
 */
import { forEachInFlight } from "../../src/core/in-flight.ts";
import type { Kube, KubeObject } from "../../src/kube/index.ts";
import { evaluateHealth } from "../../src/kube/index.ts";

/** In-flight request counts the sweep tries when none are given. */
export const defaultInFlightLevels: readonly number[] = [8, 16, 32, 64];

/** One level of the sweep, in milliseconds. */
export interface FloorLevel {
  readonly inFlight: number;
  readonly applyMs: number;
  readonly waitMs: number;
  readonly totalMs: number;
}

export interface ParallelFloor {
  readonly levels: readonly FloorLevel[];
  /** The fastest level: the floor. */
  readonly best: FloorLevel;
}

/**
 * The objects moved into `namespace` (pure): the Namespace object is renamed and every
 * namespaced object follows it; cluster-scoped objects other than Namespaces are left out, since
 * a second level would only update them.
 */
export function retargetObjects(objects: readonly KubeObject[], namespace: string): KubeObject[] {
  return objects.flatMap((obj) => {
    if (obj.kind === "Namespace")
      return [{ ...obj, metadata: { ...obj.metadata, name: namespace } }];
    if (obj.metadata.namespace === undefined) return [];
    return [{ ...obj, metadata: { ...obj.metadata, namespace } }];
  });
}

/** The fastest level (pure); throws on an empty sweep. */
export function pickFastest(levels: readonly FloorLevel[]): FloorLevel {
  const [first, ...rest] = levels;
  if (!first) throw new Error("the physical floor sweep measured no level");
  return rest.reduce((best, level) => (level.totalMs < best.totalMs ? level : best), first);
}

/** Applies `objects` with at most `inFlight` requests at once (Namespaces first, alone). */
export async function applyInParallel(
  kube: Pick<Kube, "apply">,
  objects: readonly KubeObject[],
  inFlight: number,
  fieldManager: string,
): Promise<void> {
  const namespaces = objects.filter((o) => o.kind === "Namespace");
  const rest = objects.filter((o) => o.kind !== "Namespace");
  for (const ns of namespaces) await kube.apply(ns, { fieldManager, force: true });
  await forEachInFlight(rest, inFlight, async (obj) => {
    await kube.apply(obj, { fieldManager, force: true });
  });
}

/** Waits until every Deployment in `namespace` named in `names` is available. */
async function waitForDeployments(
  kube: Pick<Kube, "list">,
  namespace: string,
  names: ReadonlySet<string>,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const list = await kube.list({ apiVersion: "apps/v1", kind: "Deployment", namespace });
    const available = list.items.filter(
      (d) => names.has(d.metadata.name) && evaluateHealth(d).healthy,
    );
    if (available.length === names.size) return;
    if (performance.now() > deadline)
      throw new Error(
        `the physical floor timed out: ${available.length} of ${names.size} Deployments available in "${namespace}" after ${Math.round(timeoutMs / 1000)} s`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the sweep into the region behind `kube`; one namespace per level. */
export async function measureParallelFloor(options: {
  readonly kube: Pick<Kube, "apply" | "list">;
  readonly objects: readonly KubeObject[];
  readonly levels?: readonly number[];
  readonly timeoutMs: number;
  readonly onLevel?: (level: FloorLevel) => void;
}): Promise<ParallelFloor> {
  const measured: FloorLevel[] = [];
  for (const inFlight of options.levels ?? defaultInFlightLevels) {
    const namespace = `floor-${inFlight}`;
    const objects = retargetObjects(options.objects, namespace);
    const deployments = new Set(
      objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name),
    );
    const start = performance.now();
    await applyInParallel(options.kube, objects, inFlight, "bench-floor");
    const applied = performance.now();
    await waitForDeployments(options.kube, namespace, deployments, options.timeoutMs);
    const done = performance.now();
    const level = {
      inFlight,
      applyMs: applied - start,
      waitMs: done - applied,
      totalMs: done - start,
    };
    measured.push(level);
    options.onLevel?.(level);
  }
  return { levels: measured, best: pickFastest(measured) };
}
