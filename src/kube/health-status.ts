/**
 * The verdict type of health evaluation and the helpers every kind's rule shares.
 */
import type { KubeObject } from "./types.ts";

/** The verdict on one object. */
export interface HealthStatus {
  readonly healthy: boolean;
  /** Why, in a few words: `3/3 replicas available`, `Job failed: BackoffLimitExceeded`. */
  readonly reason: string;
  /** True when waiting will not help: the object failed and needs a change. */
  readonly failed: boolean;
}

/** What the object should have reached, for reconciler objects that track a Git revision. */
export interface HealthOptions {
  /**
   * The revision reconciler objects must report, `main@sha1:<sha>` or a bare commit SHA.
   *
   * @default - any revision, as long as the object is Ready
   */
  readonly revision?: string;
}

/** Healthy. */
export function healthy(reason: string): HealthStatus {
  return { healthy: true, reason, failed: false };
}

/** Not healthy yet; may heal by waiting. */
export function progressing(reason: string): HealthStatus {
  return { healthy: false, reason, failed: false };
}

/** Not healthy and will not heal by waiting. */
export function failed(reason: string): HealthStatus {
  return { healthy: false, reason, failed: true };
}

/** The status of an object as a loose record. */
export function statusOf(obj: KubeObject): Record<string, unknown> {
  return (obj.status as Record<string, unknown> | undefined) ?? {};
}

/** Returns a progressing status when the controller has not observed the latest generation. */
export function generationPending(obj: KubeObject): HealthStatus | undefined {
  const observed = statusOf(obj).observedGeneration;
  const generation = obj.metadata.generation;
  if (generation === undefined) return undefined;
  if (typeof observed !== "number" || observed < generation) {
    return progressing(
      `generation ${generation} not observed yet (observed ${typeof observed === "number" ? observed : "none"})`,
    );
  }
  return undefined;
}
