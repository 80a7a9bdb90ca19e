/**
 * The Markdown rendering of a restore report, for pull requests, tickets and on-call notes.
 */
import { redact } from "../../core/redact.ts";
import { escapeMarkdownCell as cell, renderMarkdownTable as table } from "./markdown.ts";
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
 * Renders a report as Markdown: a summary with the commit and the total RTO, the phases with
 * durations and their share of the total, object counts, and every failure grouped by phase.
 */
export function renderMarkdownReport(input: RestoreReport): string {
  const report = redactDeep(input);
  const objectCounts = planObjectCountsTable(report);
  const result = report.ok ? "✔ succeeded" : "✗ failed";
  const lines = [
    `# Restore of \`${report.stack}\`: ${result}`,
    "",
    ...table(
      ["Field", "Value"],
      [
        ["Stack", cell(report.stack)],
        ["Target region", cell(report.targetRegion)],
        ["Ref", cell(report.ref)],
        ["Commit", report.commit ? `\`${report.commit}\`` : "- (ref not resolved)"],
        ["Started", cell(report.startedAt)],
        ["Finished", cell(report.finishedAt)],
        ["Total (RTO)", formatDuration(measureTotalMs(report))],
      ],
    ),
    "",
    "## Phases",
    "",
    ...table(
      ["Phase", "Started", "Duration", "% of total", "Result", "Detail"],
      planPhaseTimings(report).map((timing, index) => [
        timing.name,
        cell(report.phases[index]?.startedAt),
        formatDuration(timing.durationMs),
        `${timing.percentOfTotal.toFixed(1)} %`,
        timing.ok ? "✔ ok" : "✗ failed",
        cell(timing.detail),
      ]),
    ),
    "",
    "## Objects",
    "",
    ...table(objectCounts.header, objectCounts.rows),
    "",
    ...ownerLines(report),
    ...coverageLines(report),
    `## Failures (${report.failures.length})`,
    "",
  ];
  const groups = groupFailuresByPhase(report.failures);
  if (groups.length === 0) lines.push("None.", "");
  for (const group of groups) {
    lines.push(
      `### ${group.phase} (${group.failures.length})`,
      "",
      ...table(
        ["Object", "Owner", "Message"],
        group.failures.map((failure) => [
          cell(failure.object),
          cell(failure.owner),
          cell(failure.message),
        ]),
      ),
      "",
    );
  }
  // Belt and braces: the data is redacted already, this catches anything the layout added.
  return redact(lines.join("\n"));
}

/** `### Per owner`: the objects of each Kustomization, HelmRelease or Application, when known. */
function ownerLines(report: RestoreReport): string[] {
  const owners = planOwnersTable(report);
  if (!owners) return [];
  return [
    "### Per owner",
    "",
    ...table(
      owners.header,
      owners.rows.map((r) => r.map(cell)),
    ),
    "",
  ];
}

/** `## Coverage`: what Git would lose; nothing when verify did not judge it. */
function coverageLines(report: RestoreReport): string[] {
  const section = planCoverageSection(report);
  if (!section) return [];
  return [
    "## Coverage",
    "",
    section.summary,
    "",
    ...(section.rows.length > 0 ? [...table(section.header, section.rows), ""] : []),
  ];
}
