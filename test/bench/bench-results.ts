/**
 * Turns the raw measurements of one benchmark fleet into a result row (pure). Shapes: `objects`
 * (a size of ConfigMaps and Deployments in one Kustomization, compared with two floors), `helm`
 * (HelmReleases of a chart kept in the fleet, no floor to compare), and the shapes of many
 * groups, `layered`, `kustomizations` and `secrets` (compared with the physical floor only),
 * and `sample` (the sample fleet the drills restore, judged on its converge alone). The targets
 * are judged in `bench-targets.ts`.
 */
import type { PhaseResult } from "../../src/dr/report/index.ts";
import type { GroupsShape } from "./bench-shapes.ts";
import type { ReleasesObservation } from "./flux-observer.ts";

/** What was measured of one restore and of Flux meanwhile. Epoch times in milliseconds. */
export interface RestoreMeasurement {
  /** Whether the restore ran its warm-up apply. */
  readonly warmUp: boolean;
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

/** What was measured for one fleet of many groups (`bench-shapes.ts`). */
export interface GroupsMeasurement extends RestoreMeasurement {
  readonly shape: GroupsShape;
  /** The shape's count: Kustomizations, or Secrets for `secrets`. */
  readonly count: number;
  /** Objects Flux applies from Git, over every Kustomization. */
  readonly objects: number;
  readonly kustomizations: number;
  /** Parallel server-side apply of the same objects (every level, or 32 in flight above 5,000). */
  readonly physicalFloorMs: number;
}

/** What was measured for the sample fleet (`examples/fleet`, the drills' fleet). */
export interface SampleMeasurement extends RestoreMeasurement {
  /** Objects rendered from Git at the commit (verify's desired: Kustomizations' and charts'). */
  readonly objects: number;
  readonly kustomizations: number;
}

/** The part of a row every shape has, in milliseconds unless named otherwise. */
export interface RestoreResult {
  readonly restoreOk: boolean;
  /** Whether the restore ran its warm-up apply (only those rows are judged on speed). */
  readonly warmUp: boolean;
  /** Objects Flux applies from Git (for a HelmRelease fleet: the releases and their Namespace). */
  readonly objects: number;
  /** Flux Kustomizations the fleet's path creates (`fleet` itself not counted). */
  readonly kustomizations: number;
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
  /**
   * The warm-up's writes during bootstrap (its report detail, at most the phase's duration):
   * productive work done ahead of Flux, not the orchestrator's overhead.
   */
  readonly warmUpMs: number;
  /** Everything else the restore did: its phases minus the wait for Flux and the warm-up. */
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

/** One line of the table for a fleet of many groups. */
export interface GroupsResult extends RestoreResult {
  readonly shape: GroupsShape;
  readonly count: number;
  readonly physicalFloorMs: number;
  readonly ratioToPhysicalFloor: number;
}

/** One line of the table for the sample fleet. */
export interface SampleResult extends RestoreResult {
  readonly shape: "sample";
  /** The restore's converge phase: from the reconcile request to every Kustomization Ready. */
  readonly convergeMs: number;
}

export type BenchResult = SizeResult | HelmResult | GroupsResult | SampleResult;

/**
 * How a row is named in details and verdicts: `1000`, `1000 (no warm-up)`, `50 HelmReleases`,
 * `50 layered Kustomizations`, `1000 Kustomizations`, `31000 Secrets`, `sample fleet`; `count`
 * formats the number (the table groups its digits).
 */
export function resultName(r: BenchResult, count: (n: number) => string = String): string {
  const name = rowName(r, count);
  return r.warmUp ? name : `${name} (no warm-up)`;
}

function rowName(r: BenchResult, count: (n: number) => string): string {
  switch (r.shape) {
    case "objects":
      return count(r.size);
    case "helm":
      return `${count(r.helmReleases)} HelmReleases`;
    case "sample":
      return "sample fleet";
    default:
      return `${count(r.count)} ${groupsUnit[r.shape]}`;
  }
}

/** What a shape of many groups counts, in a row's name. */
const groupsUnit: Readonly<Record<GroupsShape, string>> = {
  layered: "layered Kustomizations",
  kustomizations: "Kustomizations",
  secrets: "Secrets",
};

/** Computes a result row from a measurement of the objects fleet. */
export function summarizeSize(m: SizeMeasurement): SizeResult {
  const restore = summarizeRestore(m, { objects: m.size, kustomizations: 1 });
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
    ...summarizeRestore(m, { objects: m.helmReleases + 1, kustomizations: 1 }),
    firstReleaseReadyMs: since(m.releases.firstReadyAtEpochMs),
    releasesReadyMs: since(m.releases.readyAtEpochMs),
  };
}

/** Computes a result row from a measurement of a fleet of many groups. */
export function summarizeGroups(m: GroupsMeasurement): GroupsResult {
  const restore = summarizeRestore(m, { objects: m.objects, kustomizations: m.kustomizations });
  return {
    shape: m.shape,
    count: m.count,
    ...restore,
    physicalFloorMs: m.physicalFloorMs,
    ratioToPhysicalFloor: m.physicalFloorMs > 0 ? restore.totalMs / m.physicalFloorMs : 0,
  };
}

/** Computes a result row from a measurement of the sample fleet. */
export function summarizeSample(m: SampleMeasurement): SampleResult {
  const restore = summarizeRestore(m, { objects: m.objects, kustomizations: m.kustomizations });
  return { shape: "sample", ...restore, convergeMs: restore.phasesMs.converge ?? 0 };
}

/**
 * The warm-up's time from the bootstrap phase's detail (`describeWarmUp` in
 * `src/dr/restore/warm-up.ts`: `warm-up applied 5000 object(s) of 1 batch in 4.2 s`), in
 * milliseconds; `undefined` when the detail has none (warm-up off, or nothing to warm up).
 */
export function parseWarmUpMs(detail: string): number | undefined {
  const match = /warm-up applied \d+ object\(s\) of \d+ batch(?:es)? in (\d+(?:\.\d+)?) s/.exec(
    detail,
  );
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function summarizeRestore(
  m: RestoreMeasurement,
  counts: { readonly objects: number; readonly kustomizations: number },
): RestoreResult {
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
  // The detail sums the batches' times, which overlap: never more than the phase itself took.
  const bootstrap = m.restore.phases.find((p) => p.name === "bootstrap");
  const warmUpMs = bootstrap
    ? Math.min(parseWarmUpMs(bootstrap.detail ?? "") ?? 0, bootstrap.durationMs)
    : 0;
  const overheadMs = Math.max(0, totalMs - fluxWaitMs - warmUpMs);
  return {
    restoreOk: m.restore.ok,
    warmUp: m.warmUp,
    ...counts,
    totalMs,
    fluxReadyMs: since(m.flux.readyAtEpochMs),
    fluxFirstReadyMs: since(m.flux.firstReadyAtEpochMs),
    detectionLagMs: lag(m.flux.readyAtEpochMs),
    detectionLagVsConditionMs: lag(m.flux.conditionReadyAtEpochMs),
    fluxWaitMs,
    warmUpMs,
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

/** One size of the objects fleet restored with and without the warm-up apply. */
export interface WarmUpComparison {
  readonly size: number;
  readonly withMs: number;
  readonly withoutMs: number;
  /** `withoutMs / withMs`: how many times faster the warm-up made the restore. */
  readonly speedup: number;
}

/** Pairs each size's warm-up row with its no-warm-up row (pure); sizes without both are left out. */
export function compareWarmUp(results: readonly BenchResult[]): WarmUpComparison[] {
  const sizes = results.filter((r): r is SizeResult => r.shape === "objects");
  return sizes.flatMap((w) => {
    if (!w.warmUp) return [];
    const cold = sizes.find((r) => !r.warmUp && r.size === w.size);
    if (!cold) return [];
    return [
      {
        size: w.size,
        withMs: w.totalMs,
        withoutMs: cold.totalMs,
        speedup: w.totalMs > 0 ? cold.totalMs / w.totalMs : 0,
      },
    ];
  });
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
