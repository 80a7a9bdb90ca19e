/**
 * A drill's timeline as plain text: every event with its time and offset, then the restore's
 * phase bars. The evidence bundle's `timeline.txt` and the JUnit suite's output.
 */
import { redact } from "../../core/redact.ts";
import { renderTimelineText } from "../../dr/report/render-text.ts";
import type { DrillResult } from "../history/drill-result.ts";
import { formatOffset, planDrillTimeline, planDrillVerdict } from "./summary.ts";

/** Renders the drill's timeline as text, with a trailing newline. */
export function renderDrillTimelineText(result: DrillResult): string {
  const verdict = planDrillVerdict(result);
  const events = planDrillTimeline(result);
  const offsets = events.map((e) => formatOffset(e.offsetMs));
  const width = Math.max(...offsets.map((o) => o.length));
  const lines = [
    `drill "${result.spec}"${result.id ? ` (${result.id})` : ""}: ${result.sourceStack} → ${result.targetStack}, ${verdict.passed ? "passed" : "failed"}`,
    "",
    ...events.map(
      (e, index) =>
        `${e.at.padEnd(24)}  ${offsets[index]!.padStart(width)}  ${e.ok === false ? "✗ " : ""}${e.event}`,
    ),
    "",
    renderTimelineText(result.restore),
    "",
  ];
  return redact(lines.join("\n"));
}
