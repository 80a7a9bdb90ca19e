/**
 * The reconciler's switch between its recovery profile and its steady settings, and the hand
 * back after the RTO: restarting a controller makes it reconcile everything again, and a Flux
 * Kustomization that reconciles while its dependency does reads "DependencyNotReady" and waits
 * out the steady `--requeue-dependency` (30 s). So after switching back, the restore requests a
 * reconcile of every object and waits, kicking dependents, until all are done again: a restore
 * that says "restored" leaves a cluster that `drkit verify` finds equal to Git.
 */
import type { Logger } from "../../core/logger.ts";
import { apiMessage, type Kube } from "../../kube/index.ts";
import { converge } from "./converge.ts";
import { restoreDriver } from "./reconcilers/index.ts";
import type { RestoreDeps, StackTarget } from "./types.ts";

/** How long the hand back waits for the reconciler's objects to be done again. */
export const handBackTimeoutMs = 120_000;

/**
 * Switches the target's reconciler to `tuning` (`undefined`: its steady settings) through the
 * platform; the line saying what changed, or `undefined`. A failure is a warning: the restore
 * goes on with the settings the reconciler has.
 */
export async function tuneReconciler(
  target: StackTarget,
  tuning: StackTarget["recovery"],
  deps: Pick<RestoreDeps, "probe" | "log">,
): Promise<string | undefined> {
  if (!deps.probe.tune) return undefined;
  try {
    const done = await deps.probe.tune(target, tuning);
    if (done) deps.log.info(`reconciler: ${done}`);
    return done;
  } catch (err) {
    const what = tuning ? "its recovery profile" : "its steady settings";
    deps.log.warn(`the reconciler could not be switched to ${what}: ${apiMessage(err)}`);
    return undefined;
  }
}

export interface HandBackInput {
  readonly target: StackTarget;
  /** The restored cluster; `undefined` when the restore stopped before provision. */
  readonly kube: Kube | undefined;
  /** The commit the restore converged to; the objects must be done at it again. */
  readonly revision: string;
  /** Whether the restore succeeded: a failed one is not waited for again. */
  readonly ok: boolean;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Switches the reconciler back to its steady settings; after a successful restore, waits until
 * its objects are done at the revision again. Never throws: the restore is over, a hand back
 * that does not settle is a warning naming what to check.
 */
export async function handBack(
  input: HandBackInput,
  deps: Pick<RestoreDeps, "probe" | "log" | "clock">,
): Promise<void> {
  const { target, kube } = input;
  const { log } = deps;
  const switched = await tuneReconciler(target, undefined, deps);
  if (!switched || !kube || !input.ok) return;
  const driver = restoreDriver(target.reconciler);
  const start = deps.clock.monotonicMs();
  const requestedAt = deps.clock.now().toISOString();
  try {
    await driver.requestReconcile(kube, requestedAt);
    const result = await converge({
      kube,
      target,
      revision: input.revision,
      requestedAt,
      kickDependents: true,
      timeoutMs: input.timeoutMs ?? handBackTimeoutMs,
      probe: deps.probe,
      clock: deps.clock,
      log: warningsOnly(log),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    const seconds = ((deps.clock.monotonicMs() - start) / 1000).toFixed(1);
    log.success(
      `${result.reconcilers.length} ${driver.words.kind}(s) ${driver.words.done} again with the steady settings (${seconds} s after the RTO)`,
    );
  } catch (err) {
    const why = err instanceof Error ? (err.message.split("\n")[0] ?? err.message) : String(err);
    log.warn(
      `after going back to its steady settings the reconciler is not done yet: ${why}; check with \`drkit verify --stack ${target.stack}\``,
    );
  }
}

/** The log's warnings and failures only: the hand back repeats converge's other lines. */
function warningsOnly(log: Logger): Logger {
  const drop = () => undefined;
  return {
    action: drop,
    waiting: drop,
    success: drop,
    info: drop,
    warn: (m) => log.warn(m),
    fail: (m) => log.fail(m),
  };
}
