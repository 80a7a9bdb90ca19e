/**
 * The benchmark's physical floor: the same objects written by parallel server-side apply with
 * N requests in flight, into a fresh region, and the Deployments waited for. A sweep of N (each
 * level into namespaces of its own, so every level creates objects as a restore does) keeps
 * the fastest level: what the API server itself can take in on this machine.
 *
 * The planning is pure (`retargetObjects`, `pickFastest`); `measureParallelFloor` does the writes.
 */
import { forEachInFlight } from "../../src/core/in-flight.ts";
import type { Kube, KubeObject } from "../../src/kube/index.ts";
import { evaluateHealth } from "../../src/kube/index.ts";

/** In-flight request counts the sweep tries when none are given. */
export const defaultInFlightLevels: readonly number[] = [8, 16, 32, 64];

/** Above this many objects the sweep tries only `largeFleetLevel`, to keep a full run short. */
export const fullSweepMaxObjects = 5_000;
/** The level a large fleet is measured at: the warm-up's own, the best on the benchmark machine. */
export const largeFleetLevel = 32;

/** The sweep for a fleet of `objectCount` objects (pure): every level, or only 32 above 5,000. */
export function planFloorLevels(objectCount: number): readonly number[] {
  return objectCount > fullSweepMaxObjects ? [largeFleetLevel] : defaultInFlightLevels;
}

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
 * The objects moved into namespaces of their own (pure): each Namespace `x` becomes
 * `<prefix>-x` and every namespaced object follows its namespace (each namespace must be among
 * the objects); cluster-scoped objects other than Namespaces are left out, since a second level
 * would only update them.
 */
export function retargetObjects(objects: readonly KubeObject[], prefix: string): KubeObject[] {
  const moved = (namespace: string) => `${prefix}-${namespace}`;
  return objects.flatMap((obj) => {
    if (obj.kind === "Namespace")
      return [{ ...obj, metadata: { ...obj.metadata, name: moved(obj.metadata.name) } }];
    if (obj.metadata.namespace === undefined) return [];
    return [{ ...obj, metadata: { ...obj.metadata, namespace: moved(obj.metadata.namespace) } }];
  });
}

/** The fastest level (pure); throws on an empty sweep. */
export function pickFastest(levels: readonly FloorLevel[]): FloorLevel {
  const [first, ...rest] = levels;
  if (!first) throw new Error("the physical floor sweep measured no level");
  return rest.reduce((best, level) => (level.totalMs < best.totalMs ? level : best), first);
}

/**
 * Applies `objects` with at most `inFlight` requests at once: the Namespaces first (many in
 * flight too: a fleet of a thousand Kustomizations has a thousand), then the rest.
 */
export async function applyInParallel(
  kube: Pick<Kube, "apply">,
  objects: readonly KubeObject[],
  inFlight: number,
  fieldManager: string,
): Promise<void> {
  const namespaces = objects.filter((o) => o.kind === "Namespace");
  const rest = objects.filter((o) => o.kind !== "Namespace");
  for (const stage of [namespaces, rest]) {
    await forEachInFlight(stage, inFlight, async (obj) => {
      await kube.apply(obj, { fieldManager, force: true });
    });
  }
}

/** `namespace/name` of a namespaced object. */
function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
}

/** Waits until every Deployment in `keys` (`namespace/name`) is available. */
async function waitForDeployments(
  kube: Pick<Kube, "list">,
  keys: ReadonlySet<string>,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // Every namespace at once: one request per poll, however many namespaces the fleet has.
    const list = await kube.list({ apiVersion: "apps/v1", kind: "Deployment" });
    const available = list.items.filter((d) => keys.has(keyOf(d)) && evaluateHealth(d).healthy);
    if (available.length === keys.size) return;
    if (performance.now() > deadline)
      throw new Error(
        `the physical floor timed out: ${available.length} of ${keys.size} Deployments available after ${Math.round(timeoutMs / 1000)} s`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the sweep into the region behind `kube`; namespaces of their own (`floor-<N>-…`) per level. */
export async function measureParallelFloor(options: {
  readonly kube: Pick<Kube, "apply" | "list">;
  readonly objects: readonly KubeObject[];
  readonly levels?: readonly number[];
  readonly timeoutMs: number;
  readonly onLevel?: (level: FloorLevel) => void;
}): Promise<ParallelFloor> {
  const measured: FloorLevel[] = [];
  for (const inFlight of options.levels ?? defaultInFlightLevels) {
    const objects = retargetObjects(options.objects, `floor-${inFlight}`);
    const deployments = new Set(objects.filter((o) => o.kind === "Deployment").map(keyOf));
    const start = performance.now();
    await applyInParallel(options.kube, objects, inFlight, "bench-floor");
    const applied = performance.now();
    await waitForDeployments(options.kube, deployments, options.timeoutMs);
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
