/**
 * `drkit drill fleet`: many drills in one run, a bounded number at once. Two drills that share a
 * stack never run at the same time (each breaks or restores it); the order given is kept
 * otherwise. Pure scheduling and summary: running one drill is the caller's.
 */
import type { DrillResult } from "./history/index.ts";

/** One drill of a fleet run, as the scheduler sees it. */
export interface FleetDrill {
  /** The drill's name in logs and the summary (its spec's `name`). */
  readonly name: string;
  /** Its spec file, as given. */
  readonly file: string;
  readonly sourceStack: string;
  readonly targetStack: string;
}

/** How one drill of the run ended. */
export type FleetDrillStatus =
  /** Ran and met its objectives. */
  | "passed"
  /** Ran and missed an objective or a check, or its restore failed. */
  | "failed"
  /** Stopped with an error before it had a result (its preparation, a lock, a bad cluster). */
  | "error"
  /** Never started: the run was interrupted first. */
  | "skipped";

export interface FleetDrillOutcome {
  readonly drill: FleetDrill;
  readonly status: FleetDrillStatus;
  /** The drill's result as recorded in the history; absent for errors and skipped drills. */
  readonly result?: DrillResult;
  /** Why it errored or was skipped. */
  readonly reason?: string;
}

export interface FleetScheduleOptions {
  /** Drills running at once, at least 1. */
  readonly parallel: number;
  /** Once aborted, no further drill starts; those not started are `skipped`. */
  readonly signal?: AbortSignal;
  /** Told when a drill starts (its slot taken), for progress. */
  readonly onStart?: (drill: FleetDrill) => void;
}

/**
 * Runs every drill through `run`, at most `parallel` at once and never two sharing a stack at
 * once; resolves with one outcome per drill, in the order given. A `run` that throws makes
 * that drill's outcome `error`; the others go on.
 */
export async function scheduleFleet<D extends FleetDrill>(
  drills: readonly D[],
  options: FleetScheduleOptions,
  run: (drill: D) => Promise<DrillResult>,
): Promise<FleetDrillOutcome[]> {
  if (!Number.isInteger(options.parallel) || options.parallel < 1)
    throw new RangeError(`parallel must be a whole number of at least 1, got ${options.parallel}`);
  const outcomes = new Array<FleetDrillOutcome | undefined>(drills.length);
  const waiting = drills.map((_, i) => i);
  const busy = new Set<string>();
  const running = new Map<number, Promise<void>>();

  const start = (i: number) => {
    const drill = drills[i]!;
    const stacks = stacksOf(drill);
    stacks.forEach((s) => busy.add(s));
    options.onStart?.(drill);
    const done = run(drill)
      .then(
        (result): FleetDrillOutcome => ({
          drill,
          status: result.passed ? "passed" : "failed",
          result,
        }),
        (err: unknown): FleetDrillOutcome => ({ drill, status: "error", reason: messageOf(err) }),
      )
      .then((outcome) => {
        outcomes[i] = outcome;
        stacks.forEach((s) => busy.delete(s));
        running.delete(i);
      });
    running.set(i, done);
  };

  while (waiting.length > 0 || running.size > 0) {
    if (!options.signal?.aborted) {
      for (let w = 0; w < waiting.length && running.size < options.parallel;) {
        const i = waiting[w]!;
        if (stacksOf(drills[i]!).some((s) => busy.has(s))) w++;
        else {
          waiting.splice(w, 1);
          start(i);
        }
      }
    } else {
      for (const i of waiting.splice(0)) {
        outcomes[i] = { drill: drills[i]!, status: "skipped", reason: "the run was interrupted" };
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  return outcomes.map((o, i) => o ?? { drill: drills[i]!, status: "skipped", reason: "not run" });
}

function stacksOf(drill: FleetDrill): string[] {
  return [...new Set([drill.sourceStack, drill.targetStack])];
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
