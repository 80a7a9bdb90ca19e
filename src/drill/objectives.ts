/**
 * Judging a drill: RPO from commit information, objectives against measurements, and the final
 * pass/fail. Pure: the drill runner reads commits from Git and measures the restore.
 */
import { measureTotalMs, sumPhaseDurations } from "../dr/report/summary.ts";
import { phaseNames, type PhaseName, type RestoreReport } from "../dr/report/types.ts";
import type { DrillObjectives } from "./spec.ts";

/** A commit as the caller read it from Git. */
export interface CommitInfo {
  readonly sha: string;
  /** Commit time, ISO 8601 (`git log --format=%cI`). */
  readonly time: string;
}

/** The recovery point: how far the restored commit lags the last commit the primary reconciled. */
export interface Rpo {
  readonly primaryCommit: CommitInfo;
  readonly restoredCommit: CommitInfo;
  /** Commits the primary had reconciled that the restore does not contain. */
  readonly commits: number;
  /** Seconds between the two commit times when commits were lost, else 0. */
  readonly seconds: number;
}

/**
 * Computes the RPO from commit information.
 *
 * `commitsBetween` are the commits reachable from the primary's commit but not from the restored
 * one (`git rev-list <restored>..<primary>`); empty when the restore has everything the primary
 * had, including when it restored a newer commit.
 */
export function computeRpo(input: {
  readonly primary: CommitInfo;
  readonly restored: CommitInfo;
  readonly commitsBetween: readonly CommitInfo[];
}): Rpo {
  const { primary, restored, commitsBetween } = input;
  for (const commit of [primary, restored]) {
    if (Number.isNaN(Date.parse(commit.time)))
      throw new Error(`commit ${commit.sha} has no valid time: got "${commit.time}"`);
  }
  if (commitsBetween.length > 0 && !commitsBetween.some((commit) => commit.sha === primary.sha)) {
    throw new Error(
      `commitsBetween must include the primary's commit ${primary.sha} (git rev-list ${restored.sha}..${primary.sha})`,
    );
  }
  const commits = primary.sha === restored.sha ? 0 : commitsBetween.length;
  const lag = (Date.parse(primary.time) - Date.parse(restored.time)) / 1000;
  return {
    primaryCommit: primary,
    restoredCommit: restored,
    commits,
    seconds: commits > 0 ? Math.max(0, lag) : 0,
  };
}

/** One objective judged against a measurement. */
export interface ObjectiveResult {
  /** `rto`, `phase:<name>`, `rpoCommits`, `rpoSeconds` or `rpoUnownedObjects`. */
  readonly objective: string;
  readonly unit: "seconds" | "commits" | "objects";
  /** What was measured; null when it could not be (a phase that never ran, no RPO). */
  readonly measured: number | null;
  readonly budget: number;
  readonly passed: boolean;
  readonly detail?: string;
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * Judges each objective: total RTO, each phase budget (in phase order), RPO in commits and seconds.
 *
 * The RTO fails when the restore failed, whatever its duration: nothing was recovered.
 */
export function evaluateObjectives(
  objectives: DrillObjectives,
  measured: {
    readonly restore: RestoreReport;
    readonly rpo: Rpo | null;
    /** Objects only the primary held that the target lacks; null when not measured. */
    readonly lostObjects?: number | null;
  },
): ObjectiveResult[] {
  const rto = round(measureTotalMs(measured.restore) / 1000);
  const results: ObjectiveResult[] = [
    {
      objective: "rto",
      unit: "seconds",
      measured: rto,
      budget: objectives.rtoSeconds,
      passed: measured.restore.ok && rto <= objectives.rtoSeconds,
      ...(measured.restore.ok ? {} : { detail: "the restore failed, so nothing was recovered" }),
    },
  ];
  const phases = sumPhaseDurations(measured.restore);
  const budgets = objectives.phaseBudgetsSeconds ?? {};
  for (const phase of phaseNames.filter((name): name is PhaseName => budgets[name] !== undefined)) {
    const ms = phases[phase];
    const budget = budgets[phase]!;
    results.push(
      ms === undefined
        ? {
            objective: `phase:${phase}`,
            unit: "seconds",
            measured: null,
            budget,
            passed: false,
            detail: "the phase did not run",
          }
        : {
            objective: `phase:${phase}`,
            unit: "seconds",
            measured: round(ms / 1000),
            budget,
            passed: round(ms / 1000) <= budget,
          },
    );
  }
  const rpo = measured.rpo;
  const lost = measured.lostObjects ?? undefined;
  const rpoObjectives = [
    ["rpoCommits", "commits", objectives.rpoCommits, rpo?.commits],
    ["rpoSeconds", "seconds", objectives.rpoSeconds, rpo ? round(rpo.seconds) : undefined],
    ["rpoUnownedObjects", "objects", objectives.rpoUnownedObjects, lost],
  ] as const;
  for (const [objective, unit, budget, value] of rpoObjectives) {
    if (budget === undefined) continue;
    results.push(
      value === undefined
        ? {
            objective,
            unit,
            measured: null,
            budget,
            passed: false,
            detail: "the RPO could not be measured",
          }
        : { objective, unit, measured: value, budget, passed: value <= budget },
    );
  }
  return results;
}

/** A check's outcome after the restore. */
export interface CheckResult {
  /** `describeCheck` of the spec's check. */
  readonly check: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** A drill passes when the restore succeeded, every objective passed and every check passed. */
export function decideDrillPassed(result: {
  readonly restore: RestoreReport;
  readonly objectives: readonly ObjectiveResult[];
  readonly checks: readonly CheckResult[];
}): boolean {
  return (
    result.restore.ok &&
    result.objectives.every((o) => o.passed) &&
    result.checks.every((c) => c.ok)
  );
}
