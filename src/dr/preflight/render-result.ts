/**
 * Plain-text rendering of a preflight result for people.
 */
import type { PreflightResult } from "./types.ts";

/** One block per check: a status line, then each failure with its fix and each warning. */
export function renderPreflightText(result: PreflightResult): string {
  const lines = [
    `preflight of stack "${result.stack}" at "${result.ref}"${result.commit ? ` (${result.commit.slice(0, 12)})` : ""}, path "${result.path}"`,
  ];
  for (const c of result.checks) {
    lines.push(`${c.skipped ? "-" : c.ok ? "✔" : "✗"} ${c.name}: ${c.summary}`);
    for (const f of c.failures) lines.push(`    ✗ ${f.message}`, `      fix: ${f.fix}`);
    for (const w of c.warnings) lines.push(`    ⚠ ${w}`);
  }
  const failed = result.checks.reduce((n, c) => n + c.failures.length, 0);
  lines.push(result.ok ? "ready for a restore" : `not ready: ${failed} failure(s)`);
  return lines.join("\n");
}
