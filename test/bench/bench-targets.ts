/**
 * Judges the issues' targets over every fleet of a run (pure): issue 4's ("Speed") detection lag,
 * overhead and memory on every row, and issue 13's on the rows restored with the warm-up apply:
 * within 3x the physical floor at 5,000 objects or more in every shape that has one, 31,000
 * Secrets restored and verified in under 3 minutes, and the sample fleet's converge within 2 s.
 */
import {
  ms,
  pct,
  resultName,
  seconds,
  type BenchResult,
  type GroupsResult,
  type SampleResult,
} from "./bench-results.ts";

/** The issues' targets (issue 4, "Speed"; issue 13, the physical floor and Velero's case). */
export const targets = {
  detectionLagMs: 1_000,
  overheadPercent: 5,
  peakRssMb: 200,
  /** Restore and verify within this multiple of the physical floor... */
  physicalFloorRatio: 3,
  /** ...judged at this many objects and more, in every shape. */
  physicalFloorFromObjects: 5_000,
  /** This many Secrets or more... */
  secrets: 31_000,
  /** ...restored and verified within this time. */
  secretsRestoreMs: 180_000,
  /** The sample fleet's converge phase within this time. */
  sampleConvergeMs: 2_000,
} as const;

/** A target and whether every fleet met it. */
export interface TargetVerdict {
  readonly name: string;
  /** Met; also true for a target that nothing in the run measured (`measured: false`). */
  readonly pass: boolean;
  readonly detail: string;
  /** False when no fleet of the run could judge it: printed as not measured, never a failure. */
  readonly measured?: boolean;
}

/**
 * Judges the targets over every fleet; a failed restore or a missing measurement fails them.
 * The physical floor is judged on the rows with one (not a HelmRelease fleet, not the sample
 * fleet), at 5,000 objects and more, with warm-up, and only when such a shape ran; run but
 * unmeasurable there (only small fleets), it fails. The Secrets target is judged when a fleet of
 * 31,000 Secrets or more ran with warm-up, the sample fleet's converge when it ran with warm-up;
 * each is otherwise printed as not measured.
 */
export function judgeTargets(results: readonly BenchResult[]): TargetVerdict[] {
  const worst = <T>(pick: (r: BenchResult) => T | undefined, fmt: (v: T) => string) =>
    results
      .map((r) => `${resultName(r)}: ${pick(r) === undefined ? "n/a" : fmt(pick(r)!)}`)
      .join(", ");
  const restoresOk = results.every((r) => r.restoreOk);
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
    ...judgePhysicalFloor(results),
    judgeSecrets(results),
    judgeSample(results),
  ];
}

function judgePhysicalFloor(results: readonly BenchResult[]): TargetVerdict[] {
  const floored = results.filter((r) => r.shape !== "helm" && r.shape !== "sample");
  if (floored.length === 0) return [];
  const large = floored.filter((r) => r.warmUp && r.objects >= targets.physicalFloorFromObjects);
  const from = targets.physicalFloorFromObjects;
  return [
    {
      name: `restore and verify within ${targets.physicalFloorRatio}x the physical floor at ${from.toLocaleString("en-US")} objects or more, in every shape`,
      pass:
        large.length > 0 &&
        large.every((r) => r.restoreOk && r.ratioToPhysicalFloor <= targets.physicalFloorRatio),
      detail:
        large.length === 0
          ? `not measured: run a fleet of ${from} objects or more with warm-up`
          : large.map((r) => `${resultName(r)}: ${r.ratioToPhysicalFloor.toFixed(1)}x`).join(", "),
    },
  ];
}

function judgeSecrets(results: readonly BenchResult[]): TargetVerdict {
  const name = `${targets.secrets.toLocaleString("en-US")} Secrets restored and verified in under ${targets.secretsRestoreMs / 60_000} minutes`;
  const judged = results.filter(
    (r): r is GroupsResult => r.shape === "secrets" && r.warmUp && r.count >= targets.secrets,
  );
  if (judged.length === 0) {
    return {
      name,
      pass: true,
      measured: false,
      detail: `not measured: run --secrets ${targets.secrets} or more with warm-up`,
    };
  }
  return {
    name,
    pass: judged.every((r) => r.restoreOk && r.totalMs < targets.secretsRestoreMs),
    detail: judged
      .map((r) => `${resultName(r)}: ${seconds(r.totalMs)}${r.restoreOk ? "" : " (failed)"}`)
      .join(", "),
  };
}

function judgeSample(results: readonly BenchResult[]): TargetVerdict {
  const name = `the sample fleet's converge within ${targets.sampleConvergeMs / 1000} s`;
  const judged = results.filter((r): r is SampleResult => r.shape === "sample" && r.warmUp);
  if (judged.length === 0) {
    return {
      name,
      pass: true,
      measured: false,
      detail: "not measured: run --sample with warm-up",
    };
  }
  return {
    name,
    pass: judged.every((r) => r.restoreOk && r.convergeMs <= targets.sampleConvergeMs),
    detail: judged
      .map(
        (r) =>
          `converge ${seconds(r.convergeMs)}, ${(r.convergeMs / targets.sampleConvergeMs).toFixed(1)}x the target${r.restoreOk ? "" : " (failed)"}`,
      )
      .join(", "),
  };
}
