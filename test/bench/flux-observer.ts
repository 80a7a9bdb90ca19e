/**
 * An independent observer of Flux, in the benchmark's own process: it records when Flux itself
 * reported the fleet Ready, to compare with when the restore's watch noticed.
 *
 * The Kustomizations' `Ready` `lastTransitionTime` has one-second resolution, so the observer
 * also records the moment the API server delivered the status that made them Ready.
 */
import { judgeReconcilers } from "../../src/dr/restore/converge-plan.ts";
import { findCondition, watchUntil, type Kube, type KubeObject } from "../../src/kube/index.ts";
import { epochMs } from "./bench-protocol.ts";

/** What the observer saw; epoch milliseconds, `undefined` when it never happened. */
export interface FluxObservation {
  /** Every expected Kustomization first Ready at the commit, whatever reconcile request it handled. */
  readonly firstReadyAtEpochMs: number | undefined;
  /**
   * Every expected Kustomization Ready at the commit with the restore's reconcile request handled:
   * the state the restore waits for, as delivered by the API server.
   */
  readonly readyAtEpochMs: number | undefined;
  /** The latest `Ready` `lastTransitionTime` at that moment (second resolution). */
  readonly conditionReadyAtEpochMs: number | undefined;
}

const kustomizations = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };

/** Starts observing; `stop()` ends the watch and returns what was seen. */
export function observeFlux(
  kube: Kube,
  options: { readonly commit: string; readonly expected: readonly string[] },
): { stop(): Promise<FluxObservation> } {
  let firstReadyAtEpochMs: number | undefined;
  let readyAtEpochMs: number | undefined;
  let conditionReadyAtEpochMs: number | undefined;
  const abort = new AbortController();
  const predicate = (objects: readonly KubeObject[]): boolean => {
    const now = epochMs();
    const present = options.expected.every((name) => objects.some((o) => o.metadata.name === name));
    if (!present) return false;
    const plain = judgeReconcilers(objects, options.commit, { rootName: "fleet" });
    if (plain.done) firstReadyAtEpochMs ??= now;
    const requestedAt = objects.find((o) => o.metadata.name === "fleet")?.metadata.annotations?.[
      "reconcile.fluxcd.io/requestedAt"
    ];
    if (requestedAt === undefined) return false;
    const handled = judgeReconcilers(objects, options.commit, { rootName: "fleet", requestedAt });
    if (!handled.done) return false;
    readyAtEpochMs = now;
    const transitions = objects
      .map((o) => Date.parse(readyTransition(o) ?? ""))
      .filter((t) => !Number.isNaN(t));
    if (transitions.length > 0) conditionReadyAtEpochMs = Math.max(...transitions);
    return true;
  };
  const watching = watchUntil(kube, kustomizations, predicate, {
    timeoutMs: 3_600_000,
    signal: abort.signal,
  }).catch(() => undefined);
  return {
    async stop() {
      abort.abort(new Error("observer stopped"));
      await watching;
      return { firstReadyAtEpochMs, readyAtEpochMs, conditionReadyAtEpochMs };
    },
  };
}

function readyTransition(obj: KubeObject): string | undefined {
  const ready = findCondition(obj, "Ready") as { lastTransitionTime?: string } | undefined;
  return ready?.lastTransitionTime;
}
