/**
 * The converge step: watch (not poll) the reconciler's objects until every one is done at the
 * target revision and every workload it owns is healthy; fail fast on failures that persist;
 * notice a lost reconciler controller and bring it back.
 *
 * What the objects are and how they are judged is the reconciler's restore driver
 * (`reconcilers/`), picked from the stack's `reconciler`; this step is the same for each.
 */
import type { Clock } from "../../core/clock.ts";
import { StepFailedError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import {
  apiMessage,
  formatRef,
  watchUntil,
  WatchTimeoutError,
  type Kube,
  type KubeObject,
} from "../../kube/index.ts";
import { FailureTimer, planTimeoutFailures } from "./converge-plan.ts";
import { createHealthKicker } from "./health-kicks.ts";
import { sendKick } from "./kick-request.ts";
import { reconcilerKey } from "./dead-ends.ts";
import { LiveWorkloads, type WorkloadCheck, type WorkloadState } from "./live-workloads.ts";
import { ConvergeFailedError } from "./converge-error.ts";
import { watchReleases, type ReleaseWatcher } from "./converge-releases.ts";
import { isServed } from "./served-kind.ts";
import { restoreDriver } from "./reconcilers/index.ts";
import type {
  DependencyKicks,
  ReconcilerFailure,
  ReconcilerVerdict,
  RestoreDriver,
  SourceGuard,
} from "./reconcilers/types.ts";
import type { ReconcilerProbe, StackTarget } from "./types.ts";
import type { WarmUp } from "./warm-up.ts";
import type { Failure } from "../report/index.ts";

export interface ConvergeInput {
  readonly kube: Kube;
  readonly target: StackTarget;
  /** `main@sha1:<sha>` or a bare sha. */
  readonly revision: string;
  readonly timeoutMs: number;
  /** The reconcile request bootstrap made; the reconciler's objects must have handled it. */
  readonly requestedAt?: string;
  /** How long a failure at the target revision may last before converge gives up. @default 45 000 */
  readonly failFastMs?: number;
  /**
   * Request a reconcile of an object as soon as its dependencies are done, instead of waiting
   * for the reconciler's dependency timer (Flux: `dependency-kicks.ts`; a reconciler without
   * one ignores it). Off for read-only waits (`drkit verify`, a drill's baseline), which change
   * nothing. @default false
   */
  readonly kickDependents?: boolean;
  /**
   * Applied ahead of the reconciler: a kicked object's batch is applied before the kick, when
   * the reconciler would start applying it. @default - no warm-up
   */
  readonly warmUp?: WarmUp;
  readonly probe: ReconcilerProbe;
  readonly clock: Clock;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

export interface ConvergeResult {
  /** Monotonic ms at which the reconciler objects were first seen done at the revision. */
  readonly reconcilersReadyAtMs: number;
  readonly reconcilers: readonly KubeObject[];
  /** The releases the reconcilers applied (Flux's HelmReleases), done too. */
  readonly releases: readonly KubeObject[];
  readonly workloads: number;
  /** Reconciler components found down and restarted during the wait. */
  readonly recovered: readonly string[];
  readonly failures: readonly Omit<Failure, "phase">[];
}

/** How long a dead end must persist before converge reports it. */
const deadEndGraceMs = 2_000;

/**
 * How long a workload's diagnosis must stay terminal (crash loop, unschedulable, image pull)
 * before converge gives up: long enough for a scheduler retry after nodes turn Ready.
 */
const workloadGraceMs = 5_000;

/** Waits for convergence; throws StepFailedError when it cannot happen. */
export async function converge(input: ConvergeInput): Promise<ConvergeResult> {
  const { kube, clock, log } = input;
  const driver = restoreDriver(input.target.reconciler);
  const { words } = driver;
  const start = clock.monotonicMs();
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(input.signal?.reason);
  input.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const recovered: string[] = [];
  const guard = guardReconciler(input, recovered, (err) => abort.abort(err));
  const failFastMs = input.failFastMs ?? 45_000;
  // What each source guard judges failing now: one that gives up reports the others' too, since
  // one cause (a registry down) fails several sources, each first seen at its own moment.
  const failingNow = new Map<SourceGuard, readonly ReconcilerFailure[]>();
  const sources = (driver.sources ?? []).map((s) =>
    guardSource(input, s, failFastMs, failingNow, (err) => abort.abort(err)),
  );
  const releases = driver.releases
    ? watchReleases(input, driver, driver.releases, failFastMs, (err) => abort.abort(err))
    : undefined;
  const live = new LiveWorkloads(kube, { timeoutMs: input.timeoutMs });
  let latest: readonly KubeObject[] = [];
  const workloadGuard = guardWorkloads(
    input,
    driver,
    live,
    () => latest,
    (err) => abort.abort(err),
  );
  try {
    log.waiting(`waiting for ${words.plural} to be ${words.done} at "${input.revision}"`);
    const timer = new FailureTimer();
    const deadEndTimer = new FailureTimer();
    let lastPending = "";
    let last: ReconcilerVerdict | undefined;
    const warnFailing = failingWarner(log, failFastMs);
    const kick =
      input.kickDependents && driver.kicks
        ? dependencyKicker(input, driver.kicks)
        : () => undefined;
    const healthKick =
      input.kickDependents && driver.healthKicks
        ? createHealthKicker(
            { ...input, watched: (ref) => live.find(ref) ?? releases?.find(ref) },
            driver.healthKicks,
          )
        : () => undefined;
    // What a health check waits for turning healthy is a reason to look again, not only a
    // change of the reconciler's own objects.
    let waiting = true;
    const lookAgain = () => {
      if (waiting) healthKick(latest);
    };
    const stopLookingAgain = [live.onChange(lookAgain), releases?.onChange(lookAgain)];
    const reconcilers = await watchUntil(
      kube,
      driver.watch,
      (objects) => {
        const verdict = driver.judge(objects, input.revision, {
          ...(input.requestedAt ? { requestedAt: input.requestedAt } : {}),
        });
        last = verdict;
        latest = objects;
        const now = clock.monotonicMs();
        if (!verdict.done) {
          kick(objects, now);
          healthKick(objects);
        }
        // A dead end is the reconciler's final word; the short grace only rides out one
        // status written in between two reconciles.
        const dead = deadEndTimer.update(
          { failing: verdict.deadEnds, pending: [] },
          now,
          deadEndGraceMs,
        );
        const stuck = [...dead, ...timer.update(verdict, now, failFastMs)];
        if (stuck.length > 0) {
          throw new ConvergeFailedError(
            stuck.map((f) => ({
              ...(f.object ? { object: f.object } : {}),
              owner: f.key,
              message: f.reason,
            })),
          );
        }
        warnFailing(verdict.failing);
        const pending = describePending(verdict.pending.map((p) => p.key));
        if (pending && pending !== lastPending) {
          lastPending = pending;
          log.waiting(`not ready yet: ${pending}`);
        }
        return verdict.done;
      },
      { timeoutMs: input.timeoutMs, signal: abort.signal, log, recheckMs: 1_000 },
    )
      .catch((err: unknown) => {
        if (err instanceof WatchTimeoutError)
          throw new ConvergeFailedError(
            planTimeoutFailures(input.timeoutMs, last, err.objects, driver),
          );
        throw err;
      })
      .finally(() => {
        waiting = false;
        stopLookingAgain.forEach((stop) => stop?.());
      });
    log.success(`${reconcilers.length} ${words.kind}(s) ${words.done} at "${input.revision}"`);
    const released = releases
      ? await awaitReleases(input, releases, driver, abort.signal, start)
      : [];
    const reconcilersReadyAtMs = clock.monotonicMs();

    workloadGuard.stop();
    const checks = driver.workloads([...reconcilers, ...released]);
    const failures = await waitForWorkloads(
      input,
      live,
      checks,
      abort.signal,
      Math.max(1_000, input.timeoutMs - (clock.monotonicMs() - start)),
    );
    return {
      reconcilersReadyAtMs,
      reconcilers,
      releases: released,
      workloads: checks.length,
      recovered,
      failures,
    };
  } catch (err) {
    if (abort.signal.aborted && abort.signal.reason instanceof Error) throw abort.signal.reason;
    throw err;
  } finally {
    guard.stop();
    for (const s of sources) s.stop();
    releases?.stop();
    workloadGuard.stop();
    live.stop();
    input.signal?.removeEventListener("abort", onOuterAbort);
  }
}

/** Waits, in what is left of the converge timeout, until every release is done. */
async function awaitReleases(
  input: ConvergeInput,
  releases: ReleaseWatcher,
  driver: RestoreDriver,
  signal: AbortSignal,
  start: number,
): Promise<readonly KubeObject[]> {
  const words = driver.releases!.words;
  const left = Math.max(1_000, input.timeoutMs - (input.clock.monotonicMs() - start));
  const released = await releases.done(left, signal);
  if (released.length > 0) input.log.success(`${released.length} ${words.kind}(s) ${words.done}`);
  return released;
}

/** The first ten keys and how many more (a fleet of 1,000 Kustomizations makes one line of ten). */
export function describePending(keys: readonly string[]): string {
  const shown = keys.slice(0, 10).join(", ");
  return keys.length > 10 ? `${shown} and ${keys.length - 10} more (${keys.length} in all)` : shown;
}

/** Requests reconciles of objects whose dependencies just became done (fire and forget). */
function dependencyKicker(input: ConvergeInput, kicks: DependencyKicks) {
  const { kube, clock, log } = input;
  const kickedAt = new Map<string, number>();
  return (objects: readonly KubeObject[], nowMs: number) => {
    for (const obj of kicks.plan(objects, input.revision, kickedAt, nowMs)) {
      const key = reconcilerKey(obj);
      kickedAt.set(key, nowMs);
      const warmed = input.warmUp?.apply(key) ?? Promise.resolve();
      warmed
        .then(() => sendKick(kube, kicks.patch(obj, clock.now().toISOString()), obj))
        .then((sent) => {
          if (sent) log.info(`requested a reconcile of ${key}: ${kicks.why}`);
          // It moved on meanwhile (the reconciler's own timer started it): judged afresh.
          else kickedAt.delete(key);
        })
        .catch((err: unknown) =>
          // The dependency timer still starts it: a kick only saves time.
          log.warn(`could not request a reconcile of ${key}: ${apiMessage(err)}`),
        );
    }
  };
}

/**
 * Waits until every workload the reconcilers applied is healthy. A workload that cannot become
 * healthy (its diagnosis is terminal for `workloadGraceMs`) ends the wait at once; at the
 * deadline, each one still unhealthy is reported with why.
 */
async function waitForWorkloads(
  input: ConvergeInput,
  live: LiveWorkloads,
  checks: readonly WorkloadCheck[],
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Omit<Failure, "phase">[]> {
  if (checks.length === 0) return [];
  input.log.waiting(`checking health of ${checks.length} workload(s)`);
  const timer = new FailureTimer();
  const seconds = Math.round(timeoutMs / 1000);
  const states = await new Promise<WorkloadState[]>((resolve, reject) => {
    let last: WorkloadState[] = [];
    const check = () => {
      last = live.diagnose(checks);
      const stuck = terminalFor(last, timer, input.clock.monotonicMs());
      if (last.every((w) => w.diagnosis.verdict === "healthy")) finish(() => resolve(last));
      else if (stuck.length > 0) finish(() => resolve(stuck));
    };
    const deadline = setTimeout(
      () =>
        finish(() =>
          resolve(
            last
              .filter((w) => w.diagnosis.verdict !== "healthy")
              .map((w) => ({
                ...w,
                diagnosis: {
                  ...w.diagnosis,
                  reason: `not healthy within ${seconds}s: ${w.diagnosis.reason}`,
                },
              })),
          ),
        ),
      timeoutMs,
    );
    const tick = setInterval(check, 1_000);
    const off = live.onChange(check);
    const onAbort = () => finish(() => reject(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    function finish(settle: () => void) {
      clearTimeout(deadline);
      clearInterval(tick);
      off();
      signal.removeEventListener("abort", onAbort);
      settle();
    }
    if (signal.aborted) onAbort();
    else check();
  });
  const unhealthy = states.filter((w) => w.diagnosis.verdict !== "healthy");
  if (unhealthy.length === 0) input.log.success(`${checks.length} workload(s) healthy`);
  return unhealthy.map(toFailure);
}

/**
 * While the reconciler's objects health-check what they applied (Flux: `wait: true`,
 * `healthChecks`; Argo CD: a sync waiting for healthy waves), looks at those workloads too: one
 * that cannot become healthy fails converge with its root cause long before the reconciler's
 * own health-check timeout would.
 */
function guardWorkloads(
  input: ConvergeInput,
  driver: RestoreDriver,
  live: LiveWorkloads,
  reconcilers: () => readonly KubeObject[],
  fail: (err: Error) => void,
) {
  const timer = new FailureTimer();
  let stopped = false;
  const check = () => {
    if (stopped) return;
    const applying = driver.applying(reconcilers(), input.revision);
    const stuck = terminalFor(
      live.diagnose(driver.workloads(applying)),
      timer,
      input.clock.monotonicMs(),
    );
    if (stuck.length > 0) fail(new ConvergeFailedError(stuck.map(toFailure)));
  };
  const tick = setInterval(check, 1_000);
  tick.unref();
  const off = live.onChange(check);
  return {
    stop: () => {
      stopped = true;
      clearInterval(tick);
      off();
    },
  };
}

/** The workloads whose diagnosis has been terminal for at least `workloadGraceMs`. */
function terminalFor(states: readonly WorkloadState[], timer: FailureTimer, nowMs: number) {
  const key = (w: WorkloadState) => `${w.owner} ${formatRef(w.ref)}`;
  const failing = states
    .filter((w) => w.diagnosis.verdict === "terminal")
    .map((w) => ({ key: key(w), reason: w.diagnosis.reason }));
  const pending = states
    .filter((w) => w.diagnosis.verdict === "progressing")
    .map((w) => ({ key: key(w), reason: w.diagnosis.reason }));
  const stuck = new Set(
    timer.update({ failing, pending }, nowMs, workloadGraceMs).map((f) => f.key),
  );
  return states.filter((w) => stuck.has(key(w)));
}

function toFailure(w: WorkloadState): Omit<Failure, "phase"> {
  return {
    object: w.diagnosis.object ?? formatRef(w.ref),
    owner: w.owner,
    message: `${formatRef(w.ref)}: ${w.diagnosis.reason}`,
  };
}

/**
 * Watches the fleet's source (Flux: the GitRepository) alongside the reconciler's objects: when
 * it cannot fetch the target revision (the Git server went down after preflight), converge fails
 * fast instead of waiting for objects that can never get there.
 */
function guardSource(
  input: ConvergeInput,
  guard: SourceGuard,
  failFastMs: number,
  failingNow: Map<SourceGuard, readonly ReconcilerFailure[]>,
  fail: (err: Error) => void,
) {
  const stop = new AbortController();
  const timer = new FailureTimer();
  const warnFailing = failingWarner(input.log, failFastMs);
  // A kind the cluster does not serve (an older Flux) has nothing to guard.
  void isServed(input.kube, guard.watch, stop.signal)
    .then((served) =>
      !served
        ? undefined
        : watchUntil(
            input.kube,
            guard.watch,
            (objects) => {
              const verdict = guard.judge(objects, input.revision, {
                ...(input.requestedAt ? { requestedAt: input.requestedAt } : {}),
              });
              failingNow.set(guard, verdict.failing);
              const stuck = timer.update(verdict, input.clock.monotonicMs(), failFastMs);
              if (stuck.length > 0) {
                const others = [...failingNow].flatMap(([g, f]) => (g === guard ? [] : f));
                const reported = uniqueByKey([...stuck, ...verdict.failing, ...others]);
                throw new ConvergeFailedError(
                  reported.map((f) =>
                    f.object
                      ? { owner: f.key, object: f.object, message: f.reason }
                      : { object: f.key, message: f.reason },
                  ),
                );
              }
              warnFailing(verdict.failing);
              return false;
            },
            // A failing fetch may write nothing more for minutes: re-judge on the clock too.
            { timeoutMs: input.timeoutMs, signal: stop.signal, recheckMs: 1_000 },
          ),
    )
    .catch((err: unknown) => {
      // Stopped, timed out or not served: the watch of the reconciler's objects reports those.
      if (err instanceof ConvergeFailedError) fail(err);
    });
  return { stop: () => stop.abort() };
}

/** The first failure of each key, in order (pure). */
function uniqueByKey<T extends { readonly key: string }>(failures: readonly T[]): T[] {
  const seen = new Set<string>();
  return failures.filter((f) => !seen.has(f.key) && seen.add(f.key));
}

/** Logs failures at the target revision when they change (they may still recover). */
function failingWarner(log: Logger, failFastMs: number) {
  let last = "";
  return (failing: readonly { key: string; reason: string }[]) => {
    const now = failing.map((f) => `${f.key}: ${f.reason}`).join("; ");
    if (now && now !== last) {
      log.warn(
        `failing at the target revision (giving up after ${failFastMs / 1000}s unless it recovers): ${now}`,
      );
    }
    last = now;
  };
}

/** Checks the reconciler every 2 s while converge waits; restarts lost components. */
function guardReconciler(input: ConvergeInput, recovered: string[], fail: (err: Error) => void) {
  let busy = false;
  const interval = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const down = await input.probe.down(input.target);
      if (down.length > 0) {
        input.log.warn(
          `reconciler component(s) ${down.map((d) => `"${d}"`).join(", ")} are down: restarting`,
        );
        try {
          await input.probe.recover(input.target, down);
          recovered.push(...down);
          input.log.success(`restarted ${down.map((d) => `"${d}"`).join(", ")}`);
        } catch (err) {
          fail(
            new StepFailedError(
              "converge",
              `reconciler component(s) ${down.join(", ")} are down and could not be restarted`,
              { cause: err },
            ),
          );
        }
      }
    } catch {
      // The probe itself failed (API server restarting): the watch deals with the API server.
    } finally {
      busy = false;
    }
  }, 2_000);
  interval.unref();
  return { stop: () => clearInterval(interval) };
}
