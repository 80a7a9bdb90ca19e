/**
 * The HTML rendering of a restore report: one self-contained page with a phase timeline chart.
 */
import { redact } from "../../core/redact.ts";
import { planPhaseTimelineChart, renderChartSvg } from "./chart.ts";
import { escapeHtml, renderHtmlPage, renderHtmlTable } from "./html.ts";
import {
  formatDuration,
  groupFailuresByPhase,
  measureTotalMs,
  planCoverageSection,
  planObjectCountsTable,
  planOwnersTable,
  planPhaseTimings,
  redactDeep,
} from "./summary.ts";
import type { RestoreReport } from "./types.ts";

/**
 * Renders a report as a complete HTML page that works offline.
 *
 * The phase timeline is an inline SVG rendered with Vega-Lite; the page has no scripts and
 * fetches nothing. Every string of the report passes through `redact` first.
 */
export async function renderHtmlReport(input: RestoreReport): Promise<string> {
  const report = redactDeep(input);
  const objectCounts = planObjectCountsTable(report);
  const resultClass = report.ok ? "ok" : "failed";
  const result = report.ok ? "✔ succeeded" : "✗ failed";
  const svg = await renderChartSvg(planPhaseTimelineChart(report));
  const sections = [
    `<h1>Restore of <code>${escapeHtml(report.stack)}</code>: <span class="${resultClass}">${result}</span></h1>`,
    renderHtmlTable(
      ["Field", "Value"],
      [
        ["Stack", report.stack],
        ["Target region", report.targetRegion],
        ["Ref", report.ref],
        ["Commit", report.commit || "- (ref not resolved)"],
        ["Started", report.startedAt],
        ["Finished", report.finishedAt],
        ["Total (RTO)", formatDuration(measureTotalMs(report))],
      ],
    ),
    "<h2>Phase timeline</h2>",
    `<figure>${svg}</figure>`,
    renderHtmlTable(
      ["Phase", "Started", "Duration", "% of total", "Result", "Detail"],
      planPhaseTimings(report).map((timing, index) => [
        timing.name,
        report.phases[index]?.startedAt ?? "-",
        formatDuration(timing.durationMs),
        `${timing.percentOfTotal.toFixed(1)} %`,
        timing.ok ? "✔ ok" : "✗ failed",
        timing.detail ?? "-",
      ]),
    ),
    "<h2>Objects</h2>",
    renderHtmlTable(objectCounts.header, objectCounts.rows),
    ...ownersHtml(report),
    ...coverageHtml(report),
    `<h2>Failures (${report.failures.length})</h2>`,
  ];
  const groups = groupFailuresByPhase(report.failures);
  if (groups.length === 0) sections.push("<p>None.</p>");
  for (const group of groups) {
    sections.push(
      `<h3>${escapeHtml(group.phase)} (${group.failures.length})</h3>`,
      renderHtmlTable(
        ["Object", "Owner", "Message"],
        group.failures.map((failure) => [
          failure.object ?? "-",
          failure.owner ?? "-",
          failure.message,
        ]),
      ),
    );
  }
  const page = renderHtmlPage({
    title: `drkit restore of ${report.stack}`,
    body: sections.join("\n"),
  });
  return redact(page);
}

/** The objects per owner; nothing when the report has none. */
function ownersHtml(report: RestoreReport): string[] {
  const owners = planOwnersTable(report);
  return owners ? ["<h3>Per owner</h3>", renderHtmlTable(owners.header, owners.rows)] : [];
}

/** The coverage section; nothing when verify did not judge it. */
function coverageHtml(report: RestoreReport): string[] {
  const section = planCoverageSection(report);
  if (!section) return [];
  return [
    "<h2>Coverage</h2>",
    `<p>${escapeHtml(section.summary)}</p>`,
    ...(section.rows.length > 0 ? [renderHtmlTable(section.header, section.rows)] : []),
  ];
}
