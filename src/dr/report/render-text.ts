/**
 * The phase timeline for a terminal: one bar per phase on a shared time axis.
 */
import { redact } from "../../core/redact.ts";
import { formatDuration, measureTotalMs, planPhaseTimings } from "./summary.ts";
import type { RestoreReport } from "./types.ts";

/** Renders the RTO timeline as text, `width` columns for the bars. */
export function renderTimelineText(report: RestoreReport, width = 40): string {
  const total = Math.max(1, measureTotalMs(report));
  const rows = planPhaseTimings(report).map((p) => {
    const start = Math.floor((p.offsetMs / total) * width);
    const length = Math.max(1, Math.round((p.durationMs / total) * width));
    const bar =
      " ".repeat(Math.min(start, width - 1)) +
      (p.ok ? "█" : "▒").repeat(Math.min(length, width - start));
    return `${p.ok ? "✔" : "✗"} ${p.name.padEnd(10)} ${bar.padEnd(width)} ${formatDuration(p.durationMs).padStart(8)}  ${redact(p.detail ?? "")}`;
  });
  const head = `RTO ${formatDuration(measureTotalMs(report))} for stack "${report.stack}" at ${report.commit.slice(0, 12) || "(no commit)"}: ${report.ok ? "restored" : "FAILED"}`;
  const failures = report.failures.map(
    (f) =>
      `  ✗ [${f.phase}] ${f.object ? `${f.object}: ` : ""}${redact(f.message)}${f.owner ? ` (${f.owner})` : ""}`,
  );
  return [head, ...rows, ...(failures.length ? ["failures:", ...failures] : [])].join("\n");
}
