/**
 * The HTML rendering of a drill report: one self-contained page (inline styles, the restore's
 * phase timeline as inline SVG) that can be attached to an audit ticket as it is.
 */
import { redact } from "../../core/redact.ts";
import { planPhaseTimelineChart, renderChartSvg } from "../../dr/report/chart.ts";
import { escapeHtml, renderHtmlPage, renderHtmlTable } from "../../dr/report/html.ts";
import {
  groupFailuresByPhase,
  planObjectCountsTable,
  redactDeep,
} from "../../dr/report/summary.ts";
import type { DrillResult } from "../history/drill-result.ts";
import {
  formatOffset,
  planCheckRows,
  planDrillFacts,
  planDrillTimeline,
  planDrillVerdict,
  planLostObjectRows,
  planObjectiveRows,
  planRpoRows,
} from "./summary.ts";

/** Renders a drill result as a complete HTML page that works offline; every string is redacted. */
export async function renderDrillHtmlReport(input: DrillResult): Promise<string> {
  const result = redactDeep(input);
  const verdict = planDrillVerdict(result);
  const resultClass = verdict.passed ? "ok" : "failed";
  const objects = planObjectCountsTable(result.restore);
  const sections = [
    `<h1>Drill <code>${escapeHtml(result.spec)}</code>: <span class="${resultClass}">${verdict.label}</span></h1>`,
    ...(verdict.reasons.length
      ? [
          "<p>Why it failed:</p>",
          `<ul>${verdict.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join("")}</ul>`,
        ]
      : []),
    renderHtmlTable(["Field", "Value"], planDrillFacts(result)),
    "<h2>Objectives</h2>",
    result.objectives.length
      ? renderHtmlTable(
          ["Objective", "Measured", "Budget", "Result", "Detail"],
          planObjectiveRows(result).map((row) => row.map((value) => value || "-")),
        )
      : "<p>None declared.</p>",
    `<h2>Checks (${result.checks.length})</h2>`,
    result.checks.length
      ? renderHtmlTable(
          ["Check", "Result", "Detail"],
          planCheckRows(result).map((row) => row.map((value) => value || "-")),
        )
      : "<p>None declared.</p>",
    "<h2>RPO</h2>",
    renderHtmlTable(["Field", "Value"], planRpoRows(result)),
  ];
  const lost = planLostObjectRows(result);
  if (lost.length)
    sections.push(
      renderHtmlTable(
        ["Lost object", "Made by", "When"],
        lost.map((row) => row.map((value) => value || "-")),
      ),
    );
  sections.push(
    "<h2>Timeline</h2>",
    renderHtmlTable(
      ["Time (UTC)", "Since start", "Event"],
      planDrillTimeline(result).map((e) => [e.at, formatOffset(e.offsetMs), e.event]),
    ),
    "<h3>Restore phases</h3>",
    `<figure>${await renderChartSvg(planPhaseTimelineChart(result.restore))}</figure>`,
    "<h2>Restore</h2>",
    renderHtmlTable(objects.header, objects.rows),
    `<h3>Failures (${result.restore.failures.length})</h3>`,
  );
  const groups = groupFailuresByPhase(result.restore.failures);
  if (groups.length === 0) sections.push("<p>None.</p>");
  else
    sections.push(
      renderHtmlTable(
        ["Phase", "Object", "Owner", "Message"],
        groups.flatMap((group) =>
          group.failures.map((f) => [group.phase, f.object ?? "-", f.owner ?? "-", f.message]),
        ),
      ),
    );
  return redact(renderHtmlPage({ title: `drkit drill ${result.spec}`, body: sections.join("\n") }));
}
