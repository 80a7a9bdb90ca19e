/**
 * The drill history as NDJSON text: one `DrillResult` per line, oldest first.
 *
 * Pure: serializing an entry and parsing a whole history, skipping (with a warning) any line that
 * is not a complete entry, such as the last line of a write that was cut short.
 */
import { z } from "zod";

import { redactDeep } from "../../dr/report/summary.ts";
import { drillResultSchemaVersion, type DrillResult } from "./drill-result.ts";

/** Entries read from a history, plus one warning per line that was skipped. */
export interface DrillHistory {
  readonly entries: readonly DrillResult[];
  readonly warnings: readonly string[];
}

// Only the fields history needs are checked, so entries with extra fields from newer drkit
// versions still read.
const entrySchema = z.looseObject({
  kind: z.literal("drill"),
  schemaVersion: z.literal(drillResultSchemaVersion),
  spec: z.string(),
  startedAt: z.string(),
  passed: z.boolean(),
  restore: z.looseObject({
    startedAt: z.string(),
    finishedAt: z.string(),
    phases: z.array(z.looseObject({ name: z.string(), durationMs: z.number() })),
  }),
});

/** One history line for `result`, newline included; every string is redacted first. */
export function serializeHistoryEntry(result: DrillResult): string {
  return JSON.stringify(redactDeep(result)) + "\n";
}

/**
 * Parses history text. `source` names the file or branch in warnings.
 *
 * A last line without its newline is an interrupted append: skipped with a warning unless it is
 * a complete entry. Earlier entries are never lost to a bad line.
 */
export function parseHistory(text: string, source: string): DrillHistory {
  const entries: DrillResult[] = [];
  const warnings: string[] = [];
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    const torn = index === lines.length - 1;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      warnings.push(
        torn
          ? `skipped line ${index + 1} of ${source}: incomplete entry (a drill was interrupted while recording)`
          : `skipped line ${index + 1} of ${source}: not valid JSON`,
      );
      return;
    }
    const parsed = entrySchema.safeParse(data);
    if (parsed.success) {
      entries.push(data as DrillResult);
    } else {
      const issue = parsed.error.issues[0]!;
      warnings.push(
        `skipped line ${index + 1} of ${source}: not a drill result (${issue.path.join(".") || "entry"}: ${issue.message})`,
      );
    }
  });
  return { entries, warnings };
}
