/**
 * Turns the raw measurements of one benchmark size into a result row, judges the issue's
 * targets and renders the table (pure).
 */
import type { PhaseResult } from "../../src/dr/report/index.ts";

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

/** What was measured for one size. Epoch times in milliseconds. */
export interface SizeMeasurement {
  readonly size: number;
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
  readonly floorMs: number;
  /** The fastest parallel server-side apply of the same objects (`parallel-floor.ts`). */
  readonly physicalFloorMs: number;
}

/** One line of the table, in milliseconds unless named otherwise. */
export interface SizeResult {
  readonly size: number;
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
  readonly floorMs: number;
  readonly ratioToFloor: number;
  readonly physicalFloorMs: number;
  readonly ratioToPhysicalFloor: number;
}

/** Computes a result row from a measurement. */
export function summarizeSize(m: SizeMeasurement): SizeResult {
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
    size: m.size,
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
    floorMs: m.floorMs,
    ratioToFloor: m.floorMs > 0 ? totalMs / m.floorMs : 0,
    physicalFloorMs: m.physicalFloorMs,
    ratioToPhysicalFloor: m.physicalFloorMs > 0 ? totalMs / m.physicalFloorMs : 0,
  };
}

/** A target and whether every size met it. */
export interface TargetVerdict {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

/** Judges the targets over every size; a failed restore or a missing measurement fails them. */
export function judgeTargets(results: readonly SizeResult[]): TargetVerdict[] {
  const worst = <T>(pick: (r: SizeResult) => T | undefined, fmt: (v: T) => string) =>
    results.map((r) => `${r.size}: ${pick(r) === undefined ? "n/a" : fmt(pick(r)!)}`).join(", ");
  const restoresOk = results.every((r) => r.restoreOk);
  const large = results.filter((r) => r.size >= targets.physicalFloorFromSize);
  return [
    {
      name: "restore verified",
      pass: restoresOk,
      detail: results.map((r) => `${r.size}: ${r.restoreOk ? "ok" : "FAILED"}`).join(", "),
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
    {
      name: `restore and verify within ${targets.physicalFloorRatio}x the physical floor at ${targets.physicalFloorFromSize.toLocaleString("en-US")} objects`,
      pass:
        large.length > 0 &&
        large.every((r) => r.restoreOk && r.ratioToPhysicalFloor <= targets.physicalFloorRatio),
      detail:
        large.length === 0
          ? `not measured: run a size of ${targets.physicalFloorFromSize} or more`
          : large.map((r) => `${r.size}: ${r.ratioToPhysicalFloor.toFixed(1)}x`).join(", "),
    },
  ];
}

/** The table printed at the end of a run, then one PASS/FAIL line per target. */
export function renderResultTable(
  results: readonly SizeResult[],
  verdicts: readonly TargetVerdict[],
): string {
  const header = [
    "size",
    "restore total",
    "Flux Ready",
    "detection lag",
    "overhead %",
    "peak RSS MB",
    "kubectl floor",
    "restore/kubectl",
    "physical floor",
    "restore/physical",
  ];
  const rows = results.map((r) => [
    r.size.toLocaleString("en-US") + (r.restoreOk ? "" : " (failed)"),
    seconds(r.totalMs),
    r.fluxReadyMs === undefined ? "n/a" : seconds(r.fluxReadyMs),
    r.detectionLagMs === undefined ? "n/a" : ms(r.detectionLagMs),
    pct(r.overheadPercent),
    r.peakRssMb.toFixed(0),
    seconds(r.floorMs),
    `${r.ratioToFloor.toFixed(2)}x`,
    seconds(r.physicalFloorMs),
    `${r.ratioToPhysicalFloor.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ");
  const phases = results.map(
    (r) =>
      `  ${r.size}: ` +
      Object.entries(r.phasesMs)
        .map(([name, d]) => `${name} ${seconds(d)}`)
        .join(", ") +
      `; waiting for Flux ${seconds(r.fluxWaitMs)}, overhead ${seconds(r.overheadMs)}` +
      (r.fluxFirstReadyMs === undefined ? "" : `; Flux first Ready ${seconds(r.fluxFirstReadyMs)}`),
  );
  const memory = results.map(
    (r) =>
      `  ${r.size}: ${r.loadedRssMb.toFixed(0)} MB loaded before the restore; peak by phase: ` +
      Object.entries(r.peakRssByPhaseMb)
        .map(([name, v]) => `${name} ${v.toFixed(0)} MB`)
        .join(", "),
  );
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join("-|-"),
    ...rows.map(line),
    "",
    "phases:",
    ...phases,
    "memory of the orchestrator process (RSS):",
    ...memory,
    "",
    ...verdicts.map((v) => `${v.pass ? "PASS" : "FAIL"}  ${v.name} (${v.detail})`),
  ].join("\n");
}

function mb(bytes: number): number {
  return bytes / (1024 * 1024);
}

function seconds(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(2)} s`;
}

function ms(valueMs: number): string {
  return `${Math.round(valueMs)} ms`;
}

function pct(value: number): string {
  return `${value.toFixed(1)} %`;
}
