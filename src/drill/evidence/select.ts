/**
 * Which drills go into an evidence bundle: those that started in the period, optionally of one
 * stack, oldest first. Pure.
 */
import type { DrillResult } from "../history/drill-result.ts";

/** The drills asked for; every bound is optional. */
export interface EvidenceSelection {
  /** Drills that started at or after this time. */
  readonly from?: Date;
  /** Drills that started before this time (exclusive: `--until 2026-09-30` is the 1st of October). */
  readonly before?: Date;
  /** Drills whose source or target is this stack. */
  readonly stack?: string;
}

/** The drills of `entries` in the selection, sorted by start time (stable for ties). */
export function selectEvidenceDrills(
  entries: readonly DrillResult[],
  selection: EvidenceSelection,
): DrillResult[] {
  const from = selection.from?.getTime() ?? -Infinity;
  const before = selection.before?.getTime() ?? Infinity;
  return entries
    .map((entry, index) => ({ entry, index, time: Date.parse(entry.startedAt) }))
    .filter(({ entry, time }) => {
      if (Number.isNaN(time) || time < from || time >= before) return false;
      if (!selection.stack) return true;
      return entry.sourceStack === selection.stack || entry.targetStack === selection.stack;
    })
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .map(({ entry }) => entry);
}
