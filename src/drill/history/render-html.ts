/**
 * The drill history as a self-contained HTML page: RTO over time per drill, seconds per phase
 * as stacked bars, and the history table. Charts are inline SVG (Vega-Lite, rendered here).
 */
import type { TopLevelSpec } from "vega-lite";

import { redact } from "../../core/redact.ts";
import { renderChartSvg, resultColors } from "../../dr/report/chart.ts";
import { renderHtmlPage, renderHtmlTable } from "../../dr/report/html.ts";
import { phaseNames } from "../../dr/report/types.ts";
import {
  formatStartedAt,
  historyCells,
  historyHeaders,
  historyPhaseColumns,
} from "./render-table.ts";
import type { HistoryRow } from "./trend.ts";

/** A unique x-axis label per drill: `#3 03-01 10:00`. */
function runLabel(row: HistoryRow, index: number): string {
  return `#${index + 1} ${formatStartedAt(row.entry.startedAt).slice(5, 16)}`;
}

/** RTO of each drill over time, one line per spec, failed runs marked red. */
export function planRtoTrendChart(rows: readonly HistoryRow[]): TopLevelSpec {
  const values = rows.map((row, index) => ({
    run: runLabel(row, index),
    spec: row.entry.spec,
    rto: row.rtoSeconds,
    result: row.entry.passed ? "pass" : "fail",
  }));
  const x = {
    field: "run",
    type: "ordinal",
    sort: null,
    title: "drill run (UTC)",
    axis: { labelAngle: -40 },
  } as const;
  const y = { field: "rto", type: "quantitative", title: "RTO (seconds)" } as const;
  return {
    width: 640,
    height: 240,
    background: "white",
    data: { values },
    layer: [
      {
        mark: { type: "line" },
        encoding: { x, y, color: { field: "spec", type: "nominal", title: "drill" } },
      },
      {
        mark: { type: "point", filled: true, size: 60 },
        encoding: {
          x,
          y,
          fill: {
            field: "result",
            type: "nominal",
            title: "result",
            scale: { domain: ["pass", "fail"], range: [resultColors.ok, resultColors.failed] },
          },
        },
      },
    ],
  };
}

/** Seconds per phase of each drill as stacked bars, phases in run order. */
export function planPhaseStackChart(rows: readonly HistoryRow[]): TopLevelSpec {
  const values = rows.flatMap((row, index) =>
    phaseNames.flatMap((phase, order) => {
      const seconds = row.phaseSeconds[phase];
      return seconds === undefined ? [] : [{ run: runLabel(row, index), phase, order, seconds }];
    }),
  );
  return {
    width: 640,
    height: 240,
    background: "white",
    data: { values },
    mark: { type: "bar" },
    encoding: {
      x: {
        field: "run",
        type: "ordinal",
        sort: null,
        title: "drill run (UTC)",
        axis: { labelAngle: -40 },
      },
      y: { field: "seconds", type: "quantitative", stack: "zero", title: "seconds per phase" },
      color: { field: "phase", type: "nominal", sort: [...phaseNames], title: "phase" },
      order: { field: "order", type: "quantitative" },
    },
  };
}

/** Renders the history page; `rows` as from `planHistoryRows`, oldest first. */
export async function renderHistoryHtml(
  rows: readonly HistoryRow[],
  options: { readonly window: number },
): Promise<string> {
  const phases = historyPhaseColumns(rows);
  const body = [`<h1>Drill history (${rows.length} ${rows.length === 1 ? "run" : "runs"})</h1>`];
  if (rows.length === 0) {
    body.push("<p>No drills recorded yet.</p>");
  } else {
    body.push(
      "<h2>RTO over time</h2>",
      `<figure>${await renderChartSvg(planRtoTrendChart(rows))}</figure>`,
      "<h2>RTO per phase</h2>",
      `<figure>${await renderChartSvg(planPhaseStackChart(rows))}</figure>`,
      "<h2>Runs</h2>",
      renderHtmlTable(
        ["#", ...historyHeaders(phases, options.window)],
        rows.map((row, index) => [String(index + 1), ...historyCells(row, phases)]),
      ),
    );
  }
  return redact(renderHtmlPage({ title: "drkit drill history", body: body.join("\n") }));
}
