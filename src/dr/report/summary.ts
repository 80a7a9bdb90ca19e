/**
 * Pure calculations shared by the report renderers: the RTO clock, phase shares, failure
 * grouping, duration formatting and redaction of a whole report.
 */
import { redact } from "../../core/redact.ts";
import { describeCoverage } from "../verify/coverage.ts";
import {
  phaseNames,
  type Failure,
  type OwnerObjects,
  type PhaseName,
  type RestoreReport,
} from "./types.ts";

/** A phase with its offset from the start of the restore and its share of the total. */
export interface PhaseTiming {
  readonly name: PhaseName;
  readonly ok: boolean;
  readonly detail: string | undefined;
  /** Milliseconds from the report's `startedAt` to the phase's start (never negative). */
  readonly offsetMs: number;
  readonly durationMs: number;
  /** Share of the total restore time, 0..100, rounded to one decimal. */
  readonly percentOfTotal: number;
}

/**
 * The total restore time (the measured RTO) in milliseconds.
 *
 * Wall-clock time from `startedAt` to `finishedAt`; when those are missing or out of order,
 * the sum of the phase durations, so a report always has a total.
 */
export function measureTotalMs(
  report: Pick<RestoreReport, "startedAt" | "finishedAt" | "phases">,
): number {
  const wall = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  if (Number.isFinite(wall) && wall > 0) return wall;
  return report.phases.reduce((sum, phase) => sum + phase.durationMs, 0);
}

/** Each phase with its offset from the start and its percentage of the total, in run order. */
export function planPhaseTimings(report: RestoreReport): PhaseTiming[] {
  const total = measureTotalMs(report);
  const start = Date.parse(report.startedAt);
  return report.phases.map((phase) => {
    const offset = Date.parse(phase.startedAt) - start;
    return {
      name: phase.name,
      ok: phase.ok,
      // A phase an earlier attempt finished (a lost Temporal worker) says so wherever it shows.
      detail: phase.resumed ? `${phase.detail ?? ""} (by an earlier attempt)`.trim() : phase.detail,
      offsetMs: Number.isFinite(offset) && offset > 0 ? offset : 0,
      durationMs: phase.durationMs,
      percentOfTotal: total > 0 ? Math.round((phase.durationMs / total) * 1000) / 10 : 0,
    };
  });
}

/** Milliseconds spent in each phase that ran (a phase reported twice counts both times). */
export function sumPhaseDurations(
  report: Pick<RestoreReport, "phases">,
): Partial<Record<PhaseName, number>> {
  const sums: Partial<Record<PhaseName, number>> = {};
  for (const phase of report.phases) sums[phase.name] = (sums[phase.name] ?? 0) + phase.durationMs;
  return sums;
}

/** Failures grouped by phase, phases in `phaseNames` order, failures in the order collected. */
export function groupFailuresByPhase(
  failures: readonly Failure[],
): { readonly phase: PhaseName; readonly failures: readonly Failure[] }[] {
  return phaseNames
    .map((phase) => ({ phase, failures: failures.filter((failure) => failure.phase === phase) }))
    .filter((group) => group.failures.length > 0);
}

/**
 * Formats milliseconds for humans: `850ms`, `12.3s`, `2m 05.0s`, `1h 02m 03s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  if (ms < 3_600_000) {
    const minutes = Math.floor(tenths / 600);
    const seconds = ((tenths % 600) / 10).toFixed(1).padStart(4, "0");
    return `${minutes}m ${seconds}s`;
  }
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = String(Math.floor((totalSeconds % 3600) / 60)).padStart(2, "0");
  const seconds = String(totalSeconds % 60).padStart(2, "0");
  return `${hours}h ${minutes}m ${seconds}s`;
}

/** A deep copy of `value` with every string passed through `redact`. */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactDeep(item)]),
    ) as T;
  }
  return value;
}

/** The object counts as a table: header and one row of text cells (Markdown and HTML share it). */
export function planObjectCountsTable(report: Pick<RestoreReport, "objects">): {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
} {
  const o = report.objects;
  return {
    header: ["Desired", "Applied", "Missing", "Extra managed", "Drifted"],
    rows: [[o.desired, o.applied, o.missing, o.extraManaged, o.drifted].map(String)],
  };
}

/**
 * The objects per owner as a table (Markdown and HTML share it): one row per Kustomization,
 * HelmRelease or Application; undefined when the report has none.
 */
export function planOwnersTable(
  report: Pick<RestoreReport, "owners">,
):
  | { readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] }
  | undefined {
  const owners: readonly OwnerObjects[] = report.owners ?? [];
  if (owners.length === 0) return undefined;
  const withHealth = owners.some((o) => o.unhealthy !== undefined);
  return {
    header: [
      "Owner",
      "Desired",
      "Applied",
      "Missing",
      "Extra managed",
      "Drifted",
      ...(withHealth ? ["Unhealthy"] : []),
    ],
    rows: owners.map((o) => [
      o.owner,
      ...[o.desired, o.applied, o.missing, o.extraManaged, o.drifted].map(String),
      ...(withHealth ? [String(o.unhealthy ?? 0)] : []),
    ]),
  };
}

/**
 * The coverage section (Markdown and HTML share it): one summary line and a table of the objects
 * only the cluster holds; undefined when verify did not judge coverage.
 */
export function planCoverageSection(report: Pick<RestoreReport, "coverage">):
  | {
      readonly summary: string;
      readonly header: readonly string[];
      readonly rows: readonly (readonly string[])[];
    }
  | undefined {
  const c = report.coverage;
  if (!c) return undefined;
  return {
    summary: describeCoverage(c),
    header: ["Only in the cluster", "Made by", "When"],
    rows: c.unowned.map((o) => [o.ref, o.manager, o.time ?? "-"]),
  };
}
