/**
 * The drill history as a text table and as the `--json` result of `drkit drill history`.
 */
import { phaseNames, type PhaseName } from "../../dr/report/types.ts";
import { trendArrows, type HistoryRow, type TrendDelta } from "./trend.ts";

/** Phases that ran in any of `rows`, in phase order: the table's phase columns. */
export function historyPhaseColumns(rows: readonly HistoryRow[]): PhaseName[] {
  return phaseNames.filter((phase) => rows.some((row) => row.phaseSeconds[phase] !== undefined));
}

/** `2026-03-01T10:00:05.123Z` → `2026-03-01 10:00:05` (UTC), or the input when it is not a date. */
export function formatStartedAt(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : new Date(time).toISOString().slice(0, 19).replace("T", " ");
}

/** `↑ +12.0s (+8.7%)`, `↓ -3.0s (-2.1%)`, `→ +0.0s (+0.0%)`; `-` without a baseline. */
export function formatTrend(delta: TrendDelta | null): string {
  if (delta === null) return "-";
  const sign = (value: number) => (value >= 0 ? "+" : "");
  const percent =
    delta.deltaPercent === null
      ? ""
      : ` (${sign(delta.deltaPercent)}${delta.deltaPercent.toFixed(1)}%)`;
  return `${trendArrows[delta.direction]} ${sign(delta.deltaSeconds)}${delta.deltaSeconds.toFixed(1)}s${percent}`;
}

/** The headers of the history columns; `window` is the median window. */
export function historyHeaders(phases: readonly PhaseName[], window: number): string[] {
  return [
    "Started (UTC)",
    "Drill",
    "Result",
    "RTO",
    "vs previous",
    `vs median of ${window}`,
    ...phases,
    "RPO",
  ];
}

/** One row's cells, matching `historyHeaders`. */
export function historyCells(row: HistoryRow, phases: readonly PhaseName[]): string[] {
  const { entry } = row;
  return [
    formatStartedAt(entry.startedAt),
    entry.spec,
    entry.passed ? "✔ pass" : "✗ fail",
    `${row.rtoSeconds.toFixed(1)}s`,
    formatTrend(row.vsPrevious),
    formatTrend(row.vsMedian),
    ...phases.map((phase) => {
      const seconds = row.phaseSeconds[phase];
      return seconds === undefined ? "-" : `${seconds.toFixed(1)}s`;
    }),
    entry.rpo
      ? `${entry.rpo.commits} ${entry.rpo.commits === 1 ? "commit" : "commits"} / ${entry.rpo.seconds.toFixed(0)}s`
      : "-",
  ];
}

/** Renders rows as an aligned text table, oldest first. */
export function renderHistoryTable(
  rows: readonly HistoryRow[],
  options: { readonly window: number },
): string {
  const phases = historyPhaseColumns(rows);
  const header = historyHeaders(phases, options.window).map((title) => title.toUpperCase());
  const body = rows.map((row) => historyCells(row, phases));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return [line(header), ...body.map(line)].join("\n");
}

/** The `--json` shape of one history row. */
export interface HistoryRowJson {
  /** The drill's id, as its JUnit and the `drill fleet` summary give it; absent in old entries. */
  readonly id?: string;
  readonly spec: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly sourceStack: string;
  readonly targetStack: string;
  readonly failure: string;
  readonly passed: boolean;
  readonly rtoSeconds: number;
  readonly phaseSeconds: Partial<Record<PhaseName, number>>;
  readonly rpo: { readonly commits: number; readonly seconds: number } | null;
  readonly vsPrevious: TrendDelta | null;
  readonly vsMedian: TrendDelta | null;
}

/** One row as `--json` prints it (the full restore report stays in the store). */
export function toHistoryRowJson(row: HistoryRow): HistoryRowJson {
  const { entry } = row;
  return {
    ...(entry.id ? { id: entry.id } : {}),
    spec: entry.spec,
    startedAt: entry.startedAt,
    finishedAt: entry.finishedAt,
    sourceStack: entry.sourceStack,
    targetStack: entry.targetStack,
    failure: entry.failure.type,
    passed: entry.passed,
    rtoSeconds: row.rtoSeconds,
    phaseSeconds: row.phaseSeconds,
    rpo: entry.rpo ? { commits: entry.rpo.commits, seconds: entry.rpo.seconds } : null,
    vsPrevious: row.vsPrevious,
    vsMedian: row.vsMedian,
  };
}
