/**
 * Waits for a condition over every object of a kind, with the Watch API rather than polling.
 *
 * It lists the kind once, then follows watch events from the list's resourceVersion, keeping a
 * snapshot of the objects and testing the predicate after each burst of events. When the watch
 * breaks (the API server restarted, a network error, "410 Gone"), it re-lists and re-watches with
 * exponential backoff, so a restore survives a control-plane restart without losing an update.
 */
import { StepFailedError, describeError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { isNotFound, type Kube } from "./client.ts";
import { objectKey, type KindRef, type KubeObject } from "./types.ts";

/** Which objects to watch. */
export interface WatchTarget extends KindRef {
  readonly labelSelector?: string;
}

/**
 * Decides, from the current objects of the kind, whether the wait is over.
 *
 * Throw from it to stop waiting with that error (for example when an object failed for good).
 */
export type WatchPredicate = (objects: readonly KubeObject[]) => boolean;

export interface WatchUntilOptions {
  /** Give up after this long with a `WatchTimeoutError`. */
  readonly timeoutMs: number;
  /** Stops the wait; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Reports interruptions and reconnects as `warn` lines. */
  readonly log?: Logger;
  /** Called each time the watch broke and is being re-established; for reports and tests. */
  readonly onReconnect?: (info: { readonly attempt: number; readonly error: string }) => void;
  /**
   * Backoff between reconnect attempts, doubling from `initialMs` up to `maxMs`.
   *
   * @default - 200 ms doubling to 5 s
   */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /**
   * Also test the predicate this often when no event arrives, for predicates that depend on
   * time (a failure that has lasted long enough to give up on).
   *
   * @default - only on events
   */
  readonly recheckMs?: number;
}

/** The wait ran out of time; `objects` is the last snapshot, so callers can say what was not ready. */
export class WatchTimeoutError extends StepFailedError {
  readonly objects: readonly KubeObject[];
  constructor(target: WatchTarget, timeoutMs: number, objects: readonly KubeObject[]) {
    super(
      "watch",
      `${target.kind} objects did not reach the expected state within ${timeoutMs / 1000}s`,
    );
    this.objects = objects;
  }
}

/** Seconds after which the API server ends each watch cleanly (below the client's 30 s idle timeout). */
const serverWatchTimeoutSeconds = 25;

/**
 * Resolves with the objects of `target` once `predicate` holds for them.
 *
 * The predicate is tested on the initial list and after every burst of watch events.
 */
export function watchUntil(
  kube: Kube,
  target: WatchTarget,
  predicate: WatchPredicate,
  options: WatchUntilOptions,
): Promise<readonly KubeObject[]> {
  const backoff = options.backoff ?? { initialMs: 200, maxMs: 5_000 };
  const objects = new Map<string, KubeObject>();
  const snapshot = () => [...objects.values()];

  return new Promise((resolve, reject) => {
    let finished = false;
    let attempt = 0;
    let watchId = 0;
    let resourceVersion = "";
    let controller: AbortController | undefined;
    let retryTimer: NodeJS.Timeout | undefined;
    let checkScheduled = false;

    const finish = (settle: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      clearTimeout(retryTimer);
      clearInterval(recheck);
      options.signal?.removeEventListener("abort", onAbort);
      controller?.abort();
      settle();
    };
    const onAbort = () => finish(() => reject(options.signal?.reason));
    const deadline = setTimeout(
      () => finish(() => reject(new WatchTimeoutError(target, options.timeoutMs, snapshot()))),
      options.timeoutMs,
    );
    const recheck =
      options.recheckMs === undefined ? undefined : setInterval(() => check(), options.recheckMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const check = () => {
      if (finished) return;
      try {
        const current = snapshot();
        if (predicate(current)) finish(() => resolve(current));
      } catch (err) {
        finish(() => reject(err));
      }
    };
    const scheduleCheck = () => {
      if (checkScheduled) return;
      checkScheduled = true;
      setImmediate(() => {
        checkScheduled = false;
        check();
      });
    };

    const retry = (error: unknown) => {
      if (finished) return;
      attempt += 1;
      const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempt - 1));
      const message = describeError(error).split("\n")[0] ?? "unknown error";
      options.onReconnect?.({ attempt, error: message });
      options.log?.warn(
        `watch of ${target.kind} interrupted (${message}); re-listing in ${delay}ms`,
      );
      retryTimer = setTimeout(() => void relist(), delay);
    };

    const relist = async () => {
      if (finished) return;
      try {
        const list = await kube.list(target, { labelSelector: target.labelSelector });
        objects.clear();
        for (const item of list.items) objects.set(objectKey(item), item);
        resourceVersion = list.resourceVersion;
      } catch (err) {
        if (!isNotFound(err)) return retry(err);
        // The kind is not served yet (its CRD is still coming): nothing exists, look again later.
        objects.clear();
        check();
        return retry(err);
      }
      attempt = 0;
      check();
      if (!finished) void startWatch();
    };

    const startWatch = async () => {
      const id = ++watchId;
      const current = () => id === watchId && !finished;
      const onEvent = (type: string, obj: KubeObject & { code?: number }) => {
        if (!current()) return;
        if (type === "ERROR") {
          // 410 Gone: our resourceVersion is too old; anything else: start over as well.
          watchId++;
          controller?.abort();
          return retry(
            new Error(`watch error ${obj.code ?? ""}: ${String(obj["message"] ?? "")}`.trim()),
          );
        }
        if (obj?.metadata?.resourceVersion) resourceVersion = obj.metadata.resourceVersion;
        if (type === "BOOKMARK") return;
        const item = {
          ...obj,
          apiVersion: obj.apiVersion ?? target.apiVersion,
          kind: obj.kind ?? target.kind,
        };
        if (type === "DELETED") objects.delete(objectKey(item));
        else objects.set(objectKey(item), item);
        scheduleCheck();
      };
      const onDone = (err: unknown) => {
        if (!current()) return;
        // A clean close is the server's timeout: resume from where we were. An error: re-list.
        if (err) retry(err);
        else void startWatch();
      };
      try {
        const path = await kube.collectionPath(target);
        if (!current()) return;
        controller = await kube.watcher.watch(
          path,
          {
            resourceVersion,
            allowWatchBookmarks: true,
            labelSelector: target.labelSelector,
            timeoutSeconds: serverWatchTimeoutSeconds,
          },
          onEvent,
          onDone,
        );
        if (!current()) controller.abort();
      } catch (err) {
        if (current()) retry(err);
      }
    };

    void relist();
  });
}
