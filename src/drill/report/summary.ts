/**
 * What a drill report says, as data shared by its Markdown, HTML, text and JUnit renderings:
 * the verdict and why, the injected failure, objectives against measurements, checks, the RPO
 * (commits and objects lost beyond Git) and the timeline of the whole drill. Pure.
 */
import { formatObjectRef } from "../../dr/report/types.ts";
import { formatDuration, measureTotalMs } from "../../dr/report/summary.ts";
import type { DrillResult } from "../history/drill-result.ts";
import type { ObjectiveResult } from "../objectives.ts";
import type { FailureInjection } from "../spec.ts";

/** `region-loss`, `namespace-delete of namespace "shop"`, `manual-drift of Deployment/shop/web (merge patch {...})`. */
export function describeFailureInjection(failure: FailureInjection): string {
  switch (failure.type) {
    case "region-loss":
      return "region-loss (the primary's control plane stopped)";
    case "reconciler-loss":
      return "reconciler-loss (the primary's reconciler controllers killed)";
    case "namespace-delete":
      return `namespace-delete of namespace "${failure.namespace}"`;
    case "manual-drift":
      return `manual-drift of ${formatObjectRef(failure)} (merge patch ${JSON.stringify(failure.patch)})`;
    default: {
      const unknown: never = failure;
      return JSON.stringify(unknown);
    }
  }
}

/** `RTO (total)`, `RTO of phase converge`, `RPO in commits`, `RPO in seconds`, `objects lost beyond Git`. */
export function describeObjective(objective: string): string {
  if (objective === "rto") return "RTO (total)";
  if (objective.startsWith("phase:")) return `RTO of phase ${objective.slice("phase:".length)}`;
  if (objective === "rpoCommits") return "RPO in commits";
  if (objective === "rpoSeconds") return "RPO in seconds";
  if (objective === "rpoUnownedObjects") return "objects lost beyond Git";
  return objective;
}

/** `312.4 s`, `1 commit`, `2 objects`; `not measured` for null. */
export function formatMeasure(value: number | null, unit: ObjectiveResult["unit"]): string {
  if (value === null) return "not measured";
  if (unit === "seconds") return `${value} s`;
  const singular = unit === "commits" ? "commit" : "object";
  return `${value} ${value === 1 ? singular : unit}`;
}

/** `RTO (total): 312.4 s, budget 300 s` (and the detail when there is one). */
export function describeObjectiveOutcome(o: ObjectiveResult): string {
  return `${describeObjective(o.objective)}: ${formatMeasure(o.measured, o.unit)}, budget ${formatMeasure(o.budget, o.unit)}${o.detail ? ` (${o.detail})` : ""}`;
}

/** The verdict and, when the drill failed, every reason in the order a reader checks them. */
export function planDrillVerdict(result: DrillResult): {
  readonly passed: boolean;
  readonly label: string;
  readonly reasons: readonly string[];
} {
  const reasons: string[] = [];
  if (!result.restore.ok) {
    const failed = result.restore.phases.find((p) => !p.ok);
    reasons.push(
      `the restore into ${result.targetStack} failed${failed ? ` in phase ${failed.name}` : ""}${result.restore.failureKind ? ` (${result.restore.failureKind})` : ""}`,
    );
  }
  for (const o of result.objectives) if (!o.passed) reasons.push(describeObjectiveOutcome(o));
  for (const c of result.checks)
    if (!c.ok) reasons.push(`check ${c.check} failed${c.detail ? `: ${c.detail}` : ""}`);
  return { passed: result.passed, label: result.passed ? "✔ passed" : "✗ failed", reasons };
}

/** The measured RTO in seconds (one decimal) and the spec's RTO objective, when recorded. */
export function planRto(result: DrillResult): {
  readonly seconds: number;
  readonly budget: number | undefined;
  readonly passed: boolean | undefined;
} {
  const rto = result.objectives.find((o) => o.objective === "rto");
  return {
    seconds: Math.round(measureTotalMs(result.restore) / 100) / 10,
    budget: rto?.budget,
    passed: rto?.passed,
  };
}

/** `142.3 s of 300 s ✔`, or `142.3 s` without an RTO objective. */
export function formatRtoVsObjective(result: DrillResult): string {
  const rto = planRto(result);
  if (rto.budget === undefined) return `${rto.seconds} s`;
  return `${rto.seconds} s of ${rto.budget} s ${rto.passed ? "✔" : "✗"}`;
}

/** `0 commits / 0 s, 0 objects lost beyond Git`; parts not measured say so. */
export function formatRpo(result: DrillResult): string {
  const commits = result.rpo
    ? `${formatMeasure(result.rpo.commits, "commits")} / ${Math.round(result.rpo.seconds)} s`
    : "commits not measured";
  const lost =
    result.lostObjects == null
      ? "lost objects not measured"
      : `${formatMeasure(result.lostObjects.length, "objects")} lost beyond Git`;
  return `${commits}, ${lost}`;
}

/** Rows of the objectives table: objective, measured, budget, result, detail. */
export function planObjectiveRows(result: DrillResult): string[][] {
  return result.objectives.map((o) => [
    describeObjective(o.objective),
    formatMeasure(o.measured, o.unit),
    formatMeasure(o.budget, o.unit),
    o.passed ? "✔ pass" : "✗ fail",
    o.detail ?? "",
  ]);
}

/** Rows of the checks table: check, result, detail. */
export function planCheckRows(result: DrillResult): string[][] {
  return result.checks.map((c) => [c.check, c.ok ? "✔ pass" : "✗ fail", c.detail ?? ""]);
}

const shortSha = (sha: string | undefined) => (sha ? sha.slice(0, 12) : "");

/** The RPO as field/value rows: both commits, what was lost in Git and beyond it. */
export function planRpoRows(result: DrillResult): string[][] {
  const rpo = result.rpo;
  const rows: string[][] = rpo
    ? [
        [
          "Primary's last reconciled commit",
          `${shortSha(rpo.primaryCommit.sha)} (${rpo.primaryCommit.time})`,
        ],
        ["Restored commit", `${shortSha(rpo.restoredCommit.sha)} (${rpo.restoredCommit.time})`],
        ["Commits lost", String(rpo.commits)],
        ["Seconds of commits lost", String(Math.round(rpo.seconds))],
      ]
    : [["Commits lost", "not measured (the primary's or the restored commit was unknown)"]];
  rows.push([
    "Objects lost beyond Git",
    result.lostObjects == null
      ? "not measured"
      : `${result.lostObjects.length} (objects only the primary held, made outside Git, missing on ${result.targetStack})`,
  ]);
  return rows;
}

/** The objects lost beyond Git: object, made by, when. Empty when none (or not measured). */
export function planLostObjectRows(result: DrillResult): string[][] {
  return (result.lostObjects ?? []).map((o) => [o.ref, o.manager, o.time ?? ""]);
}

/** Who ran the drill, where, on which fleet commit: field/value rows. */
export function planDrillFacts(result: DrillResult): string[][] {
  const p = result.provenance;
  const fleet = result.fleet;
  const rows: (string[] | false | undefined)[] = [
    result.id !== undefined && ["Drill id", result.id],
    ["Drill spec", result.spec],
    result.specFile && ["Spec file", `${result.specFile.path} (sha256 ${result.specFile.sha256})`],
    ["Injected failure", `${describeFailureInjection(result.failure)} into ${result.sourceStack}`],
    ["Source stack", result.sourceStack],
    ["Target stack", result.targetStack],
    ["Started", result.startedAt],
    result.injectedAt !== undefined && ["Failure injected", result.injectedAt],
    ["Finished", result.finishedAt],
    fleet && ["Fleet repo", `${fleet.url} (branch ${fleet.branch}, path ${fleet.path})`],
    ["Restored commit", fleet?.restoredCommit || result.restore.commit || "- (ref not resolved)"],
    fleet?.primaryCommit !== undefined && ["Primary's commit", fleet.primaryCommit],
    p && ["Operator", p.operator],
    p && ["Ran on", `${p.user}@${p.host}`],
    p?.ci && ["CI", `${p.ci.system}${p.ci.jobUrl ? ` ${p.ci.jobUrl}` : ""}`],
    p && ["drkit", p.drkitVersion],
    result.runner && ["Runner", describeRunner(result.runner)],
    ...(result.runner?.interruptions ?? []).map((i) => [
      "Interrupted",
      `worker lost after ${i.lastFinished ?? "no finished step"}; attempt ${i.attempt} resumed at ${i.resumedAt} (the RTO includes the time lost)`,
    ]),
  ];
  return rows.filter((row): row is string[] => Array.isArray(row));
}

/** `temporal (workflow drill-x-1234)`, `embedded`. */
function describeRunner(runner: NonNullable<DrillResult["runner"]>): string {
  return runner.workflowId ? `${runner.engine} (workflow ${runner.workflowId})` : runner.engine;
}

/** One event of the drill timeline. */
export interface DrillTimelineEvent {
  /** ISO 8601. */
  readonly at: string;
  /** Milliseconds since the drill started; null when either time is not a date. */
  readonly offsetMs: number | null;
  readonly event: string;
  /** For phases: whether it passed. */
  readonly ok?: boolean;
}

/**
 * The drill from start to finish: the baseline, the injection (where the RTO clock starts), each
 * restore phase with its duration, the end of the restore, the checks and the verdict.
 */
export function planDrillTimeline(result: DrillResult): DrillTimelineEvent[] {
  const start = Date.parse(result.startedAt);
  const event = (at: string, text: string, ok?: boolean): DrillTimelineEvent => {
    const offset = Date.parse(at) - start;
    return {
      at,
      offsetMs: Number.isFinite(offset) ? offset : null,
      event: text,
      ...(ok === undefined ? {} : { ok }),
    };
  };
  const restore = result.restore;
  return [
    event(result.startedAt, `drill started: baseline check of ${result.sourceStack}`),
    event(
      result.injectedAt ?? restore.startedAt,
      `injected ${describeFailureInjection(result.failure)} into ${result.sourceStack}; the RTO clock starts`,
    ),
    ...restore.phases.map((phase) =>
      event(
        phase.startedAt,
        `phase ${phase.name} ${phase.ok ? "passed" : "failed"} in ${formatDuration(phase.durationMs)}${phase.detail ? `: ${phase.detail}` : ""}`,
        phase.ok,
      ),
    ),
    event(
      restore.finishedAt,
      `restore into ${result.targetStack} ${restore.ok ? "finished" : "failed"}: RTO ${formatDuration(measureTotalMs(restore))}`,
      restore.ok,
    ),
    event(
      result.finishedAt,
      `${result.checks.length} ${result.checks.length === 1 ? "check" : "checks"} run, RPO measured: drill ${result.passed ? "passed" : "failed"}`,
      result.passed,
    ),
  ];
}

/** `+12.3s`, or `-` when unknown. */
export function formatOffset(offsetMs: number | null): string {
  return offsetMs === null ? "-" : `+${(offsetMs / 1000).toFixed(1)}s`;
}
