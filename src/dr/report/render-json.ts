/**
 * The JSON rendering of a restore report: the report itself, every string redacted.
 */
import { redactDeep } from "./summary.ts";
import type { RestoreReport } from "./types.ts";

/** Renders a report as pretty-printed JSON with a trailing newline; secrets are replaced by `***`. */
export function renderJsonReport(report: RestoreReport): string {
  return JSON.stringify(redactDeep(report), null, 2) + "\n";
}
