/**
 * Turns the raw measurements of one benchmark fleet into a result row and judges the issues'
 * targets (pure). Two fleet shapes: `objects` (a size of ConfigMaps and Deployments, compared
 * with two floors) and `helm` (HelmReleases of a chart kept in the fleet, no floor to compare).
 */
import type { PhaseResult } from "../../src/dr/report/index.ts";
import type { ReleasesObservation } from "./flux-observer.ts";

/** The issues' targets (issue 4, "Speed"; issue 13, the physical floor). */
export const targets = {
  detectionLagMs: 1_000,
  overheadPercent: 5,
  peakRssMb: 200,
  /** Restore and verify within this multiple of the physical floor... */
  physicalFloorRatio: 3,
  /** ...judged at this many objects and more. */
  physicalFloorFromSize: 5_000,
} as const;

/** What was measured of one restore and of Flux meanwhile. Epoch times in milliseconds. */
export interface RestoreMeasurement {
  readonly restore: {
    readonly ok: boolean;
    readonly startedAtEpochMs: number;
    readonly finishedAtEpochMs: number;
    readonly phases: readonly PhaseResult[];
    readonly failures: number;
    /** When the restore's watch saw every Kustomization Ready. */
    readonly watchReadyAtEpochMs: number | undefined;
    readonly maxRssBytes: number;
    readonly loadedRssBytes: number;
    readonly peakRssByPhaseBytes: Readonly<Record<string, number>>;
  };
  readonly flux: {
    readonly firstReadyAtEpochMs: number | undefined;
    readonly readyAtEpochMs: number | undefined;
    readonly conditionReadyAtEpochMs: number | undefined;
  };
}

/** What was measured for one size of the objects fleet. */
export interface SizeMeasurement extends RestoreMeasurement {
  readonly size: number;
  readonly floorMs: number;
  /** The fastest parallel server-side apply of the same objects (`parallel-floor.ts`). */
  readonly physicalFloorMs: number;
}

/** What was measured for one HelmRelease fleet. */
export interface HelmMeasurement extends RestoreMeasurement {
  readonly helmReleases: number;
  /** When the observer saw the first, then every HelmRelease Ready (before Flux's Kustomization). */
  readonly releases: ReleasesObservation;
}

/** The part of a row every shape has, in milliseconds unless named otherwise. */
export interface RestoreResult {
  readonly restoreOk: boolean;
  readonly totalMs: number;
  /** From the restore's start to Flux's own Ready (with the restore's reconcile request handled). */
  readonly fluxReadyMs: number | undefined;
  /** From the restore's start to Flux's first Ready at the commit, before handling the request. */
  readonly fluxFirstReadyMs: number | undefined;
  /** The restore's watch noticing Ready, after the API server delivered it. */
  readonly detectionLagMs: number | undefined;
  /** The same against `lastTransitionTime` (one-second resolution: an upper bound). */
  readonly detectionLagVsConditionMs: number | undefined;
  /** The part of converge spent waiting for Flux. */
  readonly fluxWaitMs: number;
  /** Everything else the restore did: its phases minus the wait for Flux. */
  readonly overheadMs: number;
  readonly overheadPercent: number;
  readonly phasesMs: Readonly<Record<string, number>>;
  readonly peakRssMb: number;
  /** Resident memory with the engine loaded, before the restore: the part that does not scale. */
  readonly loadedRssMb: number;
  readonly peakRssByPhaseMb: Readonly<Record<string, number>>;
}

/** One line of the table for a size of the objects fleet. */
export interface SizeResult extends RestoreResult {
  readonly shape: "objects";
  readonly size: number;
  readonly floorMs: number;
  readonly ratioToFloor: number;
  readonly physicalFloorMs: number;
  readonly ratioToPhysicalFloor: number;
}

/** One line of the table for a HelmRelease fleet. */
export interface HelmResult extends RestoreResult {
  readonly shape: "helm";
  readonly helmReleases: number;
  /** From the restore's start to the first HelmRelease Ready, as the observer saw it. */
  readonly firstReleaseReadyMs: number | undefined;
  /** From the restore's start to every HelmRelease Ready, as the observer saw it. */
  readonly releasesReadyMs: number | undefined;
}

export type BenchResult = SizeResult | HelmResult;

/** How a row is named in details and verdicts: `1000`, `50 HelmReleases`. */
export function resultName(r: BenchResult): string {
  return r.shape === "objects" ? String(r.size) : `${r.helmReleases} HelmReleases`;
}

/** Computes a result row from a measurement of the objects fleet. */
export function summarizeSize(m: SizeMeasurement): SizeResult {
  const restore = summarizeRestore(m);
  return {
    shape: "objects",
    size: m.size,
    ...restore,
    floorMs: m.floorMs,
    ratioToFloor: m.floorMs > 0 ? restore.totalMs / m.floorMs : 0,
    physicalFloorMs: m.physicalFloorMs,
    ratioToPhysicalFloor: m.physicalFloorMs > 0 ? restore.totalMs / m.physicalFloorMs : 0,
  };
}

/** Computes a result row from a measurement of a HelmRelease fleet. */
export function summarizeHelm(m: HelmMeasurement): HelmResult {
  const since = (t: number | undefined) =>
    t === undefined ? undefined : t - m.restore.startedAtEpochMs;
  return {
    shape: "helm",
    helmReleases: m.helmReleases,
    ...summarizeRestore(m),
    firstReleaseReadyMs: since(m.releases.firstReadyAtEpochMs),
    releasesReadyMs: since(m.releases.readyAtEpochMs),
  };
}

function summarizeRestore(m: RestoreMeasurement): RestoreResult {
  const start = m.restore.startedAtEpochMs;
  const totalMs = m.restore.finishedAtEpochMs - start;
  const since = (t: number | undefined) => (t === undefined ? undefined : t - start);
  const lag = (t: number | undefined) =>
    t === undefined || m.restore.watchReadyAtEpochMs === undefined
      ? undefined
      : m.restore.watchReadyAtEpochMs - t;
  const converge = m.restore.phases.find((p) => p.name === "converge");
  let fluxWaitMs = 0;
  if (converge && m.flux.readyAtEpochMs !== undefined) {
    const waited = m.flux.readyAtEpochMs - Date.parse(converge.startedAt);
    fluxWaitMs = Math.min(Math.max(0, waited), converge.durationMs);
  }
  const overheadMs = totalMs - fluxWaitMs;
  return {
    restoreOk: m.restore.ok,
    totalMs,
    fluxReadyMs: since(m.flux.readyAtEpochMs),
    fluxFirstReadyMs: since(m.flux.firstReadyAtEpochMs),
    detectionLagMs: lag(m.flux.readyAtEpochMs),
    detectionLagVsConditionMs: lag(m.flux.conditionReadyAtEpochMs),
    fluxWaitMs,
    overheadMs,
    overheadPercent: totalMs > 0 ? (overheadMs / totalMs) * 100 : 0,
    phasesMs: Object.fromEntries(m.restore.phases.map((p) => [p.name, p.durationMs])),
    peakRssMb: mb(m.restore.maxRssBytes),
    loadedRssMb: mb(m.restore.loadedRssBytes),
    peakRssByPhaseMb: Object.fromEntries(
      Object.entries(m.restore.peakRssByPhaseBytes).map(([phase, bytes]) => [phase, mb(bytes)]),
    ),
  };
}

/** A target and whether every fleet met it. */
export interface TargetVerdict {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

/**
 * Judges the targets over every fleet; a failed restore or a missing measurement fails them.
 * The physical floor is judged on the objects fleet only, and only when one ran: a HelmRelease
 * fleet has no floor.
 */
export function judgeTargets(results: readonly BenchResult[]): TargetVerdict[] {
  const worst = <T>(pick: (r: BenchResult) => T | undefined, fmt: (v: T) => string) =>
    results
      .map((r) => `${resultName(r)}: ${pick(r) === undefined ? "n/a" : fmt(pick(r)!)}`)
      .join(", ");
  const restoresOk = results.every((r) => r.restoreOk);
  const large = results.filter(
    (r): r is SizeResult => r.shape === "objects" && r.size >= targets.physicalFloorFromSize,
  );
  return [
    {
      name: "restore verified",
      pass: restoresOk,
      detail: results.map((r) => `${resultName(r)}: ${r.restoreOk ? "ok" : "FAILED"}`).join(", "),
    },
    {
      name: `convergence detected within ${targets.detectionLagMs} ms of Flux's Ready`,
      pass: results.every(
        (r) => r.detectionLagMs !== undefined && r.detectionLagMs < targets.detectionLagMs,
      ),
      detail: worst((r) => r.detectionLagMs, ms),
    },
    {
      name: `orchestrator overhead under ${targets.overheadPercent} % of the total`,
      pass: restoresOk && results.every((r) => r.overheadPercent < targets.overheadPercent),
      detail: worst((r) => r.overheadPercent, pct),
    },
    {
      name: `peak memory of the orchestrator under ${targets.peakRssMb} MB`,
      pass: results.every((r) => r.peakRssMb < targets.peakRssMb),
      detail: worst(
        (r) => r.peakRssMb,
        (v) => `${v.toFixed(0)} MB`,
      ),
    },
    ...(results.some((r) => r.shape === "objects")
      ? [
          {
            name: `restore and verify within ${targets.physicalFloorRatio}x the physical floor at ${targets.physicalFloorFromSize.toLocaleString("en-US")} objects`,
            pass:
              large.length > 0 &&
              large.every(
                (r) => r.restoreOk && r.ratioToPhysicalFloor <= targets.physicalFloorRatio,
              ),
            detail:
              large.length === 0
                ? `not measured: run a size of ${targets.physicalFloorFromSize} or more`
                : large.map((r) => `${r.size}: ${r.ratioToPhysicalFloor.toFixed(1)}x`).join(", "),
          },
        ]
      : []),
  ];
}

function mb(bytes: number): number {
  return bytes / (1024 * 1024);
}

/** `12.34 s`. */
export function seconds(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(2)} s`;
}

/** `300 ms`. */
export function ms(valueMs: number): string {
  return `${Math.round(valueMs)} ms`;
}

/** `5.0 %`. */
export function pct(value: number): string {
  return `${value.toFixed(1)} %`;
}
