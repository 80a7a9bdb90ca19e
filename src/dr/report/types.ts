/**
 * The typed result of a restore: what `drkit restore` prints and what a drill records.
 *
 * Timestamps are ISO 8601 strings so a report survives JSON and NDJSON round trips unchanged;
 * durations are milliseconds measured on the monotonic clock.
 */

import type { RunnerRecord } from "../../core/run-journal.ts";
import type { FailureKind } from "../../core/errors.ts";
import type { Coverage } from "../verify/coverage.ts";

/**
 * Every phase a restore or drill can report, in the order they run.
 *
 * `preflight` → `provision` → `bootstrap` → `converge` → `verify` → `report` are the restore
 * engine's phases (`preflight` catches what would otherwise only show as a timeout, such as a
 * missing decryption key); `dns` is the traffic switch a drill times as its own phase. Reports
 * and charts list phases in this order.
 */
export const phaseNames = [
  "preflight",
  "provision",
  "bootstrap",
  "converge",
  "verify",
  "report",
  "dns",
] as const;

/** One of `phaseNames`. */
export type PhaseName = (typeof phaseNames)[number];

/** One timed phase of a restore. */
export interface PhaseResult {
  readonly name: PhaseName;
  /** When the phase began (ISO 8601). */
  readonly startedAt: string;
  /** How long the phase took, in milliseconds. */
  readonly durationMs: number;
  /** Whether the phase finished without failures. */
  readonly ok: boolean;
  /** One line for humans, e.g. `"created cluster local-b"` or `"already up to date"`. */
  readonly detail?: string;
  /** Set when the phase does not apply to the target (provision of a cluster drkit did not create). */
  readonly skipped?: true;
  /**
   * Set when an earlier attempt of the run finished the phase and this one took its result
   * instead of running it again (a Temporal worker lost mid-restore).
   */
  readonly resumed?: true;
}

/** Counts of objects from the verify phase (desired from Git vs live in the cluster). */
export interface ObjectCounts {
  /** Objects rendered from Git at the restored commit. */
  readonly desired: number;
  /** Desired objects found live in the cluster. */
  readonly applied: number;
  /** Desired objects not found in the cluster. */
  readonly missing: number;
  /** Objects labelled as managed by the reconciler that Git no longer declares. */
  readonly extraManaged: number;
  /** Live objects whose fields differ from what Git declares. */
  readonly drifted: number;
}

/**
 * The objects of one owner: a Flux Kustomization or HelmRelease, an Argo CD Application.
 */
export interface OwnerObjects extends ObjectCounts {
  /** `Kind/namespace/name`: `Kustomization/flux-system/apps`, `HelmRelease/flux-system/podinfo`. */
  readonly owner: string;
  /** Desired objects that are live but not healthy; absent when not judged. */
  readonly unhealthy?: number;
}

/** One failure collected during a restore; a report lists all of them, not just the first. */
export interface Failure {
  /** The phase that observed the failure. */
  readonly phase: PhaseName;
  /** The object concerned as `kind/namespace/name` (`kind/name` when cluster-scoped); see `formatObjectRef`. */
  readonly object?: string;
  /** The Flux Kustomization/HelmRelease or Argo CD Application that owns the object, as `kind/namespace/name`. */
  readonly owner?: string;
  /** What went wrong, for humans. Passed through `redact` by every renderer. */
  readonly message: string;
}

/** The result of one restore (also the restore part of a drill result). */
export interface RestoreReport {
  readonly kind: "restore";
  /** The Pulumi stack restored into. */
  readonly stack: string;
  /** The region of that stack, e.g. `local-b` or `eu-west-1`. */
  readonly targetRegion: string;
  /** The ref that was asked for (branch, tag or sha). */
  readonly ref: string;
  /** The full commit sha the cluster converged to; empty when the ref never resolved. */
  readonly commit: string;
  /** When the restore began (ISO 8601); a drill sets this to the moment of failover. */
  readonly startedAt: string;
  /** When the restore ended (ISO 8601). */
  readonly finishedAt: string;
  /** True only when every phase succeeded and no failure was collected. */
  readonly ok: boolean;
  /**
   * Why it is not ok, deciding the exit code: `preflight` (nothing was created), `bad-input`,
   * `interrupted` (SIGINT/SIGTERM), or `failed`. Absent when ok.
   */
  readonly failureKind?: FailureKind;
  /** The phases that ran, in the order they ran. */
  readonly phases: readonly PhaseResult[];
  readonly objects: ObjectCounts;
  /** The same counts per owner (verify's), when verify ran. */
  readonly owners?: readonly OwnerObjects[];
  readonly failures: readonly Failure[];
  /** What Git would lose: live objects only the cluster holds (judged in verify). */
  readonly coverage?: Coverage;
  /**
   * Who ran a restore on its own (`drkit restore`) and its interruptions; absent in a drill's
   * restore (the drill records it) and in reports from before drkit recorded it.
   */
  readonly runner?: RunnerRecord;
}

/** Formats an object reference as `kind/namespace/name`, or `kind/name` for cluster-scoped objects. */
export function formatObjectRef(ref: {
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}
