/**
 * `drkit status` as text: one line per stack in columns the way `kubectl get` prints them, then
 * every problem (with its fix) and note below the table. Pure.
 */
import { formatAge } from "./rows.ts";
import type { StackStatus } from "./types.ts";

/** The table's columns, in order. */
export const statusColumns = [
  "STACK",
  "PLATFORM",
  "REGION",
  "RECONCILER",
  "CLUSTER",
  "RECONCILER-HEALTH",
  "LAST-RESTORE",
  "LAST-DRILL",
  "READY",
] as const;

const ago = (seconds: number) => `${formatAge(seconds * 1000)} ago`;
const short = (commit: string | undefined) => commit?.slice(0, 7);

/** `healthy 5c2e270`, `behind 5c2e270→9af01b2`, `controllers-down`, `-` when not checked. */
export function reconcilerCell(row: StackStatus): string {
  const health = row.reconcilerHealth;
  const applied = short(health.appliedCommit);
  switch (health.state) {
    case "not-checked":
      return "-";
    case "healthy":
      return applied ? `healthy ${applied}` : "healthy";
    case "behind":
      return `behind ${applied}→${short(health.branchHead)}`;
    default:
      return health.state;
  }
}

/** `✔ 19.6s 3h ago`, `✗ converge 3h ago`, `-` when the stack was never restored. */
export function restoreCell(row: StackStatus): string {
  const r = row.lastRestore;
  if (!r) return "-";
  return r.ok
    ? `✔ ${r.rtoSeconds.toFixed(1)}s ${ago(r.ageSeconds)}`
    : `✗ ${r.failedPhase ?? r.failureKind ?? "failed"} ${ago(r.ageSeconds)}`;
}

/** `✔ 19.6s 2d ago`, `✗ 41.0s 2d ago`, `-` when no drill involved the stack. */
export function drillCell(row: StackStatus): string {
  const d = row.lastDrill;
  if (!d) return "-";
  return `${d.passed ? "✔" : "✗"} ${d.rtoSeconds.toFixed(1)}s ${ago(d.ageSeconds)}`;
}

/** `✔ 2h ago`, `✗ 3 failures 2h ago`, `✗ did not run`, `-` when never checked. */
export function readyCell(row: StackStatus): string {
  const { ready } = row;
  if (ready.error !== undefined) return "✗ did not run";
  if (ready.state === "unknown") return "-";
  const age = ago(ready.ageSeconds ?? 0);
  if (ready.state === "ready") return `✔ ${age}`;
  const n = ready.failures ?? 0;
  return `✗ ${n} ${n === 1 ? "failure" : "failures"} ${age}`;
}

/** One row's cells, matching `statusColumns`. */
export function statusCells(row: StackStatus): string[] {
  return [
    row.stack,
    row.platform,
    row.region,
    row.reconciler,
    row.configError !== undefined ? "invalid-config" : row.cluster.state,
    reconcilerCell(row),
    restoreCell(row),
    drillCell(row),
    readyCell(row),
  ];
}

/** The table, then `✗ <stack>: <problem>` and `- <stack>: <note>` lines. */
export function renderStatusTable(rows: readonly StackStatus[]): string {
  const body = rows.map(statusCells);
  const widths = statusColumns.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => [...cells[column]!].length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell + " ".repeat(widths[column]! - [...cell].length))
      .join("  ")
      .trimEnd();
  const details = rows.flatMap((row) => [
    ...(row.configError !== undefined ? [`✗ ${row.stack}: ${row.configError}`] : []),
    ...row.problems.map((p) => `✗ ${row.stack}: ${p}`),
    ...row.notes.map((n) => `- ${row.stack}: ${n}`),
  ]);
  return [
    line(statusColumns),
    ...body.map(line),
    ...(details.length > 0 ? ["", ...details] : []),
  ].join("\n");
}
