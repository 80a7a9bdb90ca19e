/**
 * The Markdown rendering of a drill report: the verdict and why, who ran it on which commit, the
 * injected failure, objectives against measurements, checks, the RPO and the timeline.
 */
import { redact } from "../../core/redact.ts";
import {
  escapeMarkdownCell as cell,
  renderMarkdownTable as table,
} from "../../dr/report/markdown.ts";
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

const cells = (rows: readonly (readonly string[])[]) => rows.map((row) => row.map(cell));

/** Renders a drill result as Markdown; every string is redacted. */
export function renderDrillMarkdownReport(input: DrillResult): string {
  const result = redactDeep(input);
  const verdict = planDrillVerdict(result);
  const lines = [
    `# Drill \`${result.spec}\`: ${verdict.label}`,
    "",
    ...(verdict.reasons.length
      ? ["Why it failed:", "", ...verdict.reasons.map((reason) => `- ${cell(reason)}`), ""]
      : []),
    ...table(["Field", "Value"], cells(planDrillFacts(result))),
    "",
    "## Objectives",
    "",
    ...(result.objectives.length
      ? table(
          ["Objective", "Measured", "Budget", "Result", "Detail"],
          cells(planObjectiveRows(result)),
        )
      : ["None declared."]),
    "",
    `## Checks (${result.checks.length})`,
    "",
    ...(result.checks.length
      ? table(["Check", "Result", "Detail"], cells(planCheckRows(result)))
      : ["None declared."]),
    "",
    "## RPO",
    "",
    ...table(["Field", "Value"], cells(planRpoRows(result))),
    "",
  ];
  const lost = planLostObjectRows(result);
  if (lost.length) lines.push(...table(["Lost object", "Made by", "When"], cells(lost)), "");
  lines.push(
    "## Timeline",
    "",
    ...table(
      ["Time (UTC)", "Since start", "Event"],
      planDrillTimeline(result).map((e) => [cell(e.at), formatOffset(e.offsetMs), cell(e.event)]),
    ),
    "",
    "## Restore",
    "",
    ...table(
      planObjectCountsTable(result.restore).header,
      planObjectCountsTable(result.restore).rows,
    ),
    "",
    `### Failures (${result.restore.failures.length})`,
    "",
  );
  const groups = groupFailuresByPhase(result.restore.failures);
  if (groups.length === 0) lines.push("None.", "");
  for (const group of groups) {
    lines.push(
      ...table(
        ["Phase", "Object", "Owner", "Message"],
        group.failures.map((f) => [group.phase, cell(f.object), cell(f.owner), cell(f.message)]),
      ),
      "",
    );
  }
  return redact(lines.join("\n"));
}
