/**
 * The summary of a fleet run: pass/fail per drill (and so per region) and the distribution of the
 * RTOs measured. Pure; rendered as text and Markdown, written as JSON beside it.
 */
import { redact } from "../core/redact.ts";
import { planRto } from "./report/summary.ts";
import type { FleetDrillOutcome, FleetDrillStatus } from "./fleet.ts";

export interface FleetSummaryDrill {
  readonly spec: string;
  readonly file: string;
  readonly sourceStack: string;
  readonly targetStack: string;
  readonly status: FleetDrillStatus;
  /** The drill's id in the history; absent when it has no result. */
  readonly id?: string;
  readonly rtoSeconds?: number;
  readonly rtoBudgetSeconds?: number;
  readonly reason?: string;
}

/** Nearest-rank percentiles of the RTOs measured, in seconds; over drills that have a result. */
export interface RtoDistribution {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly max: number;
  readonly mean: number;
}

export interface FleetSummary {
  readonly kind: "drill-fleet";
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly wallSeconds: number;
  readonly parallel: number;
  /**
   * From the first failure injected to the last restore finished: how long the fleet was being
   * failed over, without the preparation and baseline checks. null when no drill has a result.
   */
  readonly failoverSeconds: number | null;
  /** Every drill ran and passed. */
  readonly passed: boolean;
  readonly counts: Readonly<Record<FleetDrillStatus, number>>;
  /** null when no drill has a result. */
  readonly rto: RtoDistribution | null;
  readonly drills: readonly FleetSummaryDrill[];
}

export function summarizeFleet(
  outcomes: readonly FleetDrillOutcome[],
  run: { readonly startedAt: Date; readonly finishedAt: Date; readonly parallel: number },
): FleetSummary {
  const drills = outcomes.map(summarizeDrill);
  const counts = { passed: 0, failed: 0, error: 0, skipped: 0 };
  for (const d of drills) counts[d.status]++;
  const rtos = drills.flatMap((d) => (d.rtoSeconds === undefined ? [] : [d.rtoSeconds]));
  return {
    kind: "drill-fleet",
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    wallSeconds: round((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000),
    parallel: run.parallel,
    failoverSeconds: failoverWindow(outcomes),
    passed: drills.length > 0 && counts.passed === drills.length,
    counts,
    rto: distribution(rtos),
    drills,
  };
}

function summarizeDrill({ drill, status, result, reason }: FleetDrillOutcome): FleetSummaryDrill {
  const rto = result ? planRto(result) : undefined;
  return {
    spec: drill.name,
    file: drill.file,
    sourceStack: drill.sourceStack,
    targetStack: drill.targetStack,
    status,
    ...(result ? { id: result.id } : {}),
    ...(rto ? { rtoSeconds: rto.seconds } : {}),
    ...(rto?.budget !== undefined ? { rtoBudgetSeconds: rto.budget } : {}),
    ...(reason ? { reason: redact(reason) } : {}),
  };
}

function failoverWindow(outcomes: readonly FleetDrillOutcome[]): number | null {
  const results = outcomes.flatMap((o) => (o.result ? [o.result] : []));
  if (results.length === 0) return null;
  const start = Math.min(...results.map((r) => Date.parse(r.injectedAt ?? r.restore.startedAt)));
  const end = Math.max(...results.map((r) => Date.parse(r.restore.finishedAt)));
  return round((end - start) / 1000);
}

/** Nearest-rank percentiles: the value at rank ceil(p·n) of the sorted values. */
export function distribution(values: readonly number[]): RtoDistribution | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    min: sorted[0]!,
    p50: at(0.5),
    p90: at(0.9),
    max: sorted[sorted.length - 1]!,
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

const marks: Record<FleetDrillStatus, string> = {
  passed: "✔",
  failed: "✗",
  error: "✗",
  skipped: "-",
};

/** The summary as lines for a terminal. */
export function renderFleetSummaryText(summary: FleetSummary): string {
  const lines = summary.drills.map((d) => {
    const rto = d.rtoSeconds === undefined ? "" : `, RTO ${rtoText(d)}`;
    const why = d.reason ? `: ${d.reason}` : "";
    return `  ${marks[d.status]} ${d.spec} (${d.sourceStack} → ${d.targetStack}): ${d.status}${rto}${why}`;
  });
  const { counts } = summary;
  return [
    `drills (${summary.parallel} at once, ${summary.wallSeconds} s${summary.failoverSeconds === null ? "" : `; failing over for ${summary.failoverSeconds} s`}):`,
    ...lines,
    `RTO: ${describeDistribution(summary.rto)}`,
    `fleet: ${summary.passed ? "PASSED" : "FAILED"} (${counts.passed} passed, ${counts.failed} failed, ${counts.error} errored, ${counts.skipped} skipped)`,
  ].join("\n");
}

/** The summary as a Markdown report. */
export function renderFleetSummaryMarkdown(summary: FleetSummary): string {
  const rows = summary.drills.map(
    (d) =>
      `| ${cell(d.spec)} | ${d.sourceStack} → ${d.targetStack} | ${marks[d.status]} ${d.status} | ${d.rtoSeconds === undefined ? "—" : rtoText(d)} | ${d.id ?? "—"} | ${cell(d.reason ?? "")} |`,
  );
  return [
    `# Fleet drill: ${summary.passed ? "passed" : "failed"}`,
    "",
    `Started ${summary.startedAt}, finished ${summary.finishedAt} (${summary.wallSeconds} s), ${summary.parallel} drill(s) at once${summary.failoverSeconds === null ? "" : `; from the first failure injected to the last restore finished: ${summary.failoverSeconds} s`}.`,
    "",
    "| drill | failover | result | RTO | history id | reason |",
    "| --- | --- | --- | ---: | --- | --- |",
    ...rows,
    "",
    `RTO over the drills with a result: ${describeDistribution(summary.rto)}.`,
    "",
  ].join("\n");
}

function rtoText(d: FleetSummaryDrill): string {
  return d.rtoBudgetSeconds === undefined
    ? `${d.rtoSeconds} s`
    : `${d.rtoSeconds} s of ${d.rtoBudgetSeconds} s`;
}

function describeDistribution(rto: RtoDistribution | null): string {
  if (!rto) return "not measured (no drill has a result)";
  return `min ${rto.min} s, p50 ${rto.p50} s, p90 ${rto.p90} s, max ${rto.max} s, mean ${rto.mean} s (${rto.count} drill(s))`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
