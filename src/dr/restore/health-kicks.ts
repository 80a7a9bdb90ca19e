/**
 * Health kicks: a reconciler that polls the health of what it applied on a timer (Flux: every
 * 5 s) reports a layer Ready up to one interval after it is. Converge reads the objects a
 * reconciler object is waiting for (the driver's `waitingOn`; workloads and releases from
 * converge's watches, checked again whenever those change; other kinds read at most once a
 * second), and once every one is healthy by the same rules (`evaluateHealth`, kstatus's),
 * requests a reconcile of it, which ends the wait.
 *
 * One kick per object and restore: a kick that came too early (the reconciler judged otherwise)
 * costs one more pass of the reconciler and its next poll, never a loop. A kick decided on a
 * state the object has left (it finished meanwhile) is refused by the API server (`sendKick`).
 */
import type { Clock } from "../../core/clock.ts";
import { createInFlightLimit } from "../../core/in-flight.ts";
import type { Logger } from "../../core/logger.ts";
import {
  apiMessage,
  evaluateHealth,
  formatRef,
  type Kube,
  type KubeObject,
  type ObjectRef,
} from "../../kube/index.ts";
import { reconcilerKey } from "./dead-ends.ts";
import { sendKick } from "./kick-request.ts";
import type { HealthKicks } from "./reconcilers/types.ts";

/** How often the objects one reconciler object waits for are read again. */
const recheckMs = 1_000;
/** Reads in flight for all health checks together. */
const readsInFlight = 8;

export interface HealthKickerInput {
  readonly kube: Pick<Kube, "get" | "apply">;
  readonly clock: Pick<Clock, "monotonicMs" | "now">;
  readonly log: Pick<Logger, "info" | "warn">;
  readonly revision: string;
  /**
   * Objects converge already watches (its LiveWorkloads, its releases): `null` when the kind is
   * watched and the object was not seen, `undefined` when the kind is not watched, so it is read
   * from the API.
   */
  readonly watched?: (ref: ObjectRef) => KubeObject | null | undefined;
}

/** Returns the function converge calls with the reconciler's objects on every change (fire and forget). */
export function createHealthKicker(
  input: HealthKickerInput,
  kicks: HealthKicks,
): (objects: readonly KubeObject[]) => void {
  const { kube, clock, log } = input;
  const kicked = new Set<string>();
  const checking = new Set<string>();
  const checkedAt = new Map<string, number>();
  // An object seen healthy stays so for this purpose: only the others are read again.
  const healthy = new Set<string>();
  const read = createInFlightLimit(readsInFlight);

  const allHealthy = async (refs: readonly ObjectRef[]): Promise<boolean> => {
    const results = await Promise.all(
      refs.map(async (ref) => {
        const id = formatRef(ref);
        if (healthy.has(id)) return true;
        const cached = input.watched?.(ref);
        const live =
          cached === undefined ? await read(() => kube.get(ref)).catch(() => undefined) : cached;
        if (!live || !evaluateHealth(live).healthy) return false;
        healthy.add(id);
        return true;
      }),
    );
    return results.every(Boolean);
  };

  const check = async (obj: KubeObject, key: string, refs: readonly ObjectRef[]) => {
    if (!(await allHealthy(refs))) return;
    kicked.add(key);
    // Refused when the object moved on meanwhile: its next state is judged afresh.
    if (!(await sendKick(kube, kicks.patch(obj, clock.now().toISOString()), obj))) {
      kicked.delete(key);
      return;
    }
    log.info(`requested a reconcile of ${key}: ${kicks.why}`);
  };

  return (objects) => {
    const now = clock.monotonicMs();
    for (const obj of objects) {
      const key = reconcilerKey(obj);
      if (kicked.has(key) || checking.has(key)) continue;
      const refs = kicks.waitingOn(obj, input.revision);
      if (!refs) continue;
      // Watched objects are checked on every call; API reads happen at most once a second.
      const reads = refs.some(
        (r) => !healthy.has(formatRef(r)) && input.watched?.(r) === undefined,
      );
      if (reads && now - (checkedAt.get(key) ?? -Infinity) < recheckMs) continue;
      checking.add(key);
      if (reads) checkedAt.set(key, now);
      check(obj, key, refs)
        // The reconciler's own poll still ends the wait: a kick only saves time.
        .catch((err: unknown) =>
          log.warn(`could not request a reconcile of ${key}: ${apiMessage(err)}`),
        )
        .finally(() => checking.delete(key));
    }
  };
}
