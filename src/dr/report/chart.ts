/**
 * Charts for reports, rendered server-side to SVG so pages work offline.
 *
 * Specs are Vega-Lite (pure data, `plan*` functions); `renderChartSvg` compiles one to Vega and
 * renders it headless with `view.toSVG()`. No canvas, no fonts or scripts are fetched: the SVG
 * is plain markup that can be inlined into an HTML page.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

import { planPhaseTimings } from "./summary.ts";
import type { RestoreReport } from "./types.ts";

/** Colours shared by every chart: green for a phase that passed, red for one that failed. */
export const resultColors = { ok: "#2e7d32", failed: "#c62828" } as const;

/** Compiles a Vega-Lite spec and renders it to a standalone SVG string. */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), {
    renderer: "none",
    logLevel: vega.Error,
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * A Gantt-like timeline of a restore: one horizontal bar per phase from its start to its end,
 * in seconds since the restore began, coloured by result and labelled with its duration.
 */
export function planPhaseTimelineChart(report: RestoreReport): TopLevelSpec {
  const values = planPhaseTimings(report).map((timing) => ({
    phase: timing.name,
    start: timing.offsetMs / 1000,
    end: (timing.offsetMs + timing.durationMs) / 1000,
    result: timing.ok ? "ok" : "failed",
    label: `${(timing.durationMs / 1000).toFixed(1)}s (${timing.percentOfTotal}%)`,
  }));
  const lastEnd = Math.max(1, ...values.map((value) => value.end));
  const y = { field: "phase", type: "nominal", sort: null, title: null } as const;
  return {
    width: 560,
    height: { step: 28 },
    background: "white",
    data: { values },
    encoding: { y },
    layer: [
      {
        mark: { type: "bar", cornerRadius: 2 },
        encoding: {
          x: {
            field: "start",
            type: "quantitative",
            title: "seconds since restore start",
            // Room on the right for the last bar's label.
            scale: { domain: [0, Math.ceil(lastEnd * 1.25)] },
          },
          x2: { field: "end" },
          color: {
            field: "result",
            type: "nominal",
            scale: { domain: ["ok", "failed"], range: [resultColors.ok, resultColors.failed] },
            legend: { title: null, orient: "bottom" },
          },
        },
      },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 11 },
        encoding: { x: { field: "end", type: "quantitative" }, text: { field: "label" } },
      },
    ],
  };
}
