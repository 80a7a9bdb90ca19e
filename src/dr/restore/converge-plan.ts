/**
 * Pure decisions of the converge step that hold for every reconciler: which failing objects
 * have failed for long enough to stop waiting, and what to report when the deadline passes.
 * How objects are judged at a revision is each reconciler's (`reconcilers/`).
 */
import type { KubeObject } from "../../kube/index.ts";
import type { Failure } from "../report/index.ts";
import { reconcilerKey } from "./dead-ends.ts";
import { fluxRestoreDriver } from "./reconcilers/flux.ts";
import type { ReconcilerVerdict, RestoreDriver } from "./reconcilers/types.ts";

// Flux's judgement used to live here; importers (tests, the benchmark's observer) still find it.
export {
  judgeReconcilers,
  judgeSource,
  objectNamedIn,
  planWorkloadChecks,
} from "./reconcilers/flux-judge.ts";
export { workloadKinds } from "./reconcilers/shared.ts";
export type { ReconcilerFailure, ReconcilerVerdict } from "./reconcilers/types.ts";

/**
 * Tracks how long each object has been failing, to fail fast without flapping on one bad read.
 *
 * An object is forgotten only once it is done (or gone): Flux retries a failed reconcile every
 * `retryInterval` and shows it `Progressing` while it does, which must not restart the clock.
 */
export class FailureTimer {
  readonly #since = new Map<string, number>();

  /** Returns the failures that have lasted at least `graceMs` at time `nowMs`. */
  update(
    verdict: Pick<ReconcilerVerdict, "failing" | "pending">,
    nowMs: number,
    graceMs: number,
  ): ReconcilerVerdict["failing"] {
    const notDone = new Set([...verdict.failing, ...verdict.pending].map((f) => f.key));
    for (const key of [...this.#since.keys()]) if (!notDone.has(key)) this.#since.delete(key);
    for (const f of verdict.failing) if (!this.#since.has(f.key)) this.#since.set(f.key, nowMs);
    return verdict.failing.filter((f) => nowMs - this.#since.get(f.key)! >= graceMs);
  }
}

/**
 * The converge deadline passed: one failure per object still not done, with why and the last
 * state the reconciler wrote on it (`driver`: whose words and conditions; Flux by default).
 */
export function planTimeoutFailures(
  timeoutMs: number,
  verdict: ReconcilerVerdict | undefined,
  objects: readonly KubeObject[],
  driver: Pick<RestoreDriver, "words" | "lastCondition"> = fluxRestoreDriver,
): Omit<Failure, "phase">[] {
  const byKey = new Map(objects.map((o) => [reconcilerKey(o), o] as const));
  const notDone = [...(verdict?.pending ?? []), ...(verdict?.failing ?? [])];
  const seconds = Math.round(timeoutMs / 1000);
  if (notDone.length === 0)
    return [
      { message: `no ${driver.words.kind} was seen within the converge timeout of ${seconds}s` },
    ];
  return notDone.map((p) => {
    const obj = byKey.get(p.key);
    const last = obj ? driver.lastCondition(obj) : undefined;
    // The reason often quotes the condition already; it then adds nothing.
    const quoted = last?.message !== undefined && p.reason.includes(last.message);
    const condition = last && !quoted ? `; ${last.text}` : "";
    return {
      owner: p.key,
      message: `not ${driver.words.done} within the converge timeout of ${seconds}s: ${p.reason}${condition}`,
    };
  });
}
