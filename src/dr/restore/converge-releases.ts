/**
 * Converge's watch of the releases the fleet's objects apply (Flux's HelmReleases): started with
 * the main watch so that a failed install fails the restore at once, even while a Kustomization
 * with `wait: true` would still wait out its own timeout for it; awaited once the main watch is
 * done, for fleets whose Kustomizations do not wait.
 */
import {
  objectKey,
  splitApiVersion,
  watchUntil,
  type KubeObject,
  type ObjectRef,
} from "../../kube/index.ts";
import { ConvergeFailedError } from "./converge-error.ts";
import { FailureTimer, planTimeoutFailures } from "./converge-plan.ts";
import type { ConvergeInput } from "./converge.ts";
import type { ReconcilerVerdict, ReleaseWatch, RestoreDriver } from "./reconcilers/types.ts";
import { isServed } from "./served-kind.ts";

/** How long a stalled or suspended release must stay so before converge reports it. */
const deadEndGraceMs = 2_000;

export interface ReleaseWatcher {
  /** Resolves with the releases once every one is done; rejects at the deadline or on `signal`. */
  done(timeoutMs: number, signal: AbortSignal): Promise<readonly KubeObject[]>;
  /**
   * A release as the watch last saw it: `null` when it is of the watched kind but was not seen
   * (yet), `undefined` when `ref` is of another kind.
   */
  find(ref: ObjectRef): KubeObject | null | undefined;
  /** Calls `listener` after each change of the releases; returns a function that removes it. */
  onChange(listener: () => void): () => void;
  stop(): void;
}

/**
 * Watches the releases; `fail` is called (once) with a ConvergeFailedError when one has failed
 * for `failFastMs` or is a dead end. A region that does not serve the kind has no releases.
 */
export function watchReleases(
  input: ConvergeInput,
  driver: Pick<RestoreDriver, "lastCondition">,
  releases: ReleaseWatch,
  failFastMs: number,
  fail: (err: Error) => void,
): ReleaseWatcher {
  const stop = new AbortController();
  const timer = new FailureTimer();
  const deadEndTimer = new FailureTimer();
  let wanted: ((objects: readonly KubeObject[]) => void) | undefined;
  let latest: readonly KubeObject[] = [];
  let last: ReconcilerVerdict | undefined;
  let served = true;
  let index: Map<string, KubeObject> | undefined;
  const listeners = new Set<() => void>();

  const judge = (objects: readonly KubeObject[]): boolean => {
    latest = objects;
    index = undefined;
    listeners.forEach((l) => l());
    const verdict = releases.judge(
      objects,
      input.requestedAt !== undefined ? { requestedAt: input.requestedAt } : {},
    );
    last = verdict;
    const now = input.clock.monotonicMs();
    const stuck = [
      ...deadEndTimer.update({ failing: verdict.deadEnds, pending: [] }, now, deadEndGraceMs),
      ...timer.update(verdict, now, failFastMs),
    ];
    if (stuck.length > 0) {
      throw new ConvergeFailedError(stuck.map((f) => ({ owner: f.key, message: f.reason })));
    }
    if (verdict.done && wanted) wanted(objects);
    return false;
  };

  const watching = isServed(input.kube, releases.watch, stop.signal)
    .then((answer) => {
      if (answer)
        return watchUntil(input.kube, releases.watch, judge, {
          timeoutMs: input.timeoutMs,
          signal: stop.signal,
          recheckMs: 1_000,
        });
      served = false;
      wanted?.([]);
      return undefined;
    })
    .catch((err: unknown) => {
      if (err instanceof ConvergeFailedError) fail(err);
      // Stopped, or the API server went away: the main watch reports that.
    });
  void watching;

  return {
    done(timeoutMs, signal) {
      if (!served) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(deadline);
          reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        const deadline = setTimeout(() => {
          signal.removeEventListener("abort", onAbort);
          reject(
            new ConvergeFailedError(
              planTimeoutFailures(timeoutMs, last, latest, { ...driver, words: releases.words }),
            ),
          );
        }, timeoutMs);
        wanted = (objects) => {
          clearTimeout(deadline);
          signal.removeEventListener("abort", onAbort);
          wanted = undefined;
          resolve(objects);
        };
        if (last?.done) wanted(latest);
      });
    },
    find(ref) {
      // Any version of the kind: the watch reads the one the region serves.
      const group = splitApiVersion(releases.watch.apiVersion).group;
      if (ref.kind !== releases.watch.kind || splitApiVersion(ref.apiVersion).group !== group)
        return undefined;
      index ??= new Map(latest.map((o) => [objectKey(o), o]));
      return index.get(objectKey(ref)) ?? null;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => {
      listeners.clear();
      stop.abort();
    },
  };
}
