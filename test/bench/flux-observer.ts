/**
 * An independent observer of Flux, in the benchmark's own process: it records when Flux itself
 * reported the fleet Ready, to compare with when the restore's watch noticed.
 *
 * The Kustomizations' `Ready` `lastTransitionTime` has one-second resolution, so the observer
 * also records the moment the API server delivered the status that made them Ready. For a
 * HelmRelease fleet it also records when the HelmReleases themselves were all Ready.
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

/**
 * Starts observing the Kustomizations named in `expected` (every group's and `fleet`); `stop()`
 * ends the watch and returns what was seen.
 */
export function observeFlux(
  kube: Kube,
  options: { readonly commit: string; readonly expected: readonly string[] },
): { stop(): Promise<FluxObservation> } {
  let firstReadyAtEpochMs: number | undefined;
  let readyAtEpochMs: number | undefined;
  let conditionReadyAtEpochMs: number | undefined;
  const abort = new AbortController();
  const expected = new Set(options.expected);
  const predicate = (objects: readonly KubeObject[]): boolean => {
    const now = epochMs();
    // One pass per event: a fleet of a thousand Kustomizations sends thousands of events.
    const present = objects.filter((o) => expected.has(o.metadata.name)).length;
    if (present < expected.size) return false;
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

const helmReleases = { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease" };

/** When the observer saw HelmReleases Ready; epoch milliseconds, `undefined` when it never did. */
export interface ReleasesObservation {
  /** The first HelmRelease Ready for its spec. */
  readonly firstReadyAtEpochMs: number | undefined;
  /** All `count` of them Ready for their specs at once. */
  readonly readyAtEpochMs: number | undefined;
}

/**
 * Starts observing HelmReleases (`Ready` True at their generation), judged here, apart from the
 * restore's judge; `stop()` ends the watch and returns what was seen. Flux's Kustomization with
 * `wait: true` reports Ready after the last of them, at its next health poll.
 */
export function observeHelmReleases(
  kube: Kube,
  count: number,
): { stop(): Promise<ReleasesObservation> } {
  let firstReadyAtEpochMs: number | undefined;
  let readyAtEpochMs: number | undefined;
  const abort = new AbortController();
  const predicate = (objects: readonly KubeObject[]): boolean => {
    const now = epochMs();
    const ready = objects.filter(readyAtGeneration).length;
    if (ready > 0) firstReadyAtEpochMs ??= now;
    if (objects.length < count || ready < objects.length) return false;
    readyAtEpochMs = now;
    return true;
  };
  const watching = watchUntil(kube, helmReleases, predicate, {
    timeoutMs: 3_600_000,
    signal: abort.signal,
  }).catch(() => undefined);
  return {
    async stop() {
      abort.abort(new Error("observer stopped"));
      await watching;
      return { firstReadyAtEpochMs, readyAtEpochMs };
    },
  };
}

function readyAtGeneration(obj: KubeObject): boolean {
  const status = (obj.status ?? {}) as { observedGeneration?: number };
  return (
    findCondition(obj, "Ready")?.status === "True" &&
    status.observedGeneration !== undefined &&
    status.observedGeneration >= (obj.metadata.generation ?? 0)
  );
}
