/**
 * What the state dir recorded of past operations, read once per `drkit status`: the newest restore
 * report of each stack (`<stateDir>/reports/restore-<stack>-<stamp>.json`), the drill history
 * file, and each stack's last preflight. Reads only; a file that does not parse becomes a warning.
 *
 * The drill history read here is the state dir's file (`--history-store file`, the default); a
 * history kept on a branch of the fleet repo would need a clone, which is no status check.
 */
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

import { silentLogger } from "../core/logger.ts";
import { readPreflightRecords } from "../dr/preflight-record.ts";
import { measureTotalMs } from "../dr/report/summary.ts";
import type { RestoreReport } from "../dr/report/types.ts";
import { createFileHistoryStore } from "../drill/history/file-store.ts";
import type { DrillResult } from "../drill/history/drill-result.ts";
import { historyFilePath } from "../drill/history/store.ts";
import type { DrillRecord, RestoreRecord, StatusRecords } from "./types.ts";

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * The stack and stamp of a restore report's file name as `reportName("restore", ...)` makes it
 * (`restore-local-b-20260301T100005Z.json`); undefined for any other file (pure).
 */
export function parseRestoreReportName(
  file: string,
): { readonly stack: string; readonly stamp: string } | undefined {
  const match = /^restore-(.+)-(\d{8}T\d{6}Z)\.json$/.exec(file);
  return match ? { stack: match[1]!, stamp: match[2]! } : undefined;
}

/** A restore report as a record (pure). */
export function toRestoreRecord(
  report: Pick<
    RestoreReport,
    "stack" | "ok" | "startedAt" | "finishedAt" | "phases" | "failureKind"
  >,
  via: { readonly reportFile: string } | { readonly drill: string },
): RestoreRecord {
  const failed = report.phases.find((p) => !p.ok);
  return {
    stack: report.stack,
    ok: report.ok,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    rtoSeconds: round(measureTotalMs(report) / 1000),
    ...(report.failureKind ? { failureKind: report.failureKind } : {}),
    ...(!report.ok && failed ? { failedPhase: failed.name } : {}),
    ...("drill" in via ? { via: "drill", drill: via.drill } : { via: "restore", ...via }),
  };
}

/** A drill of the history as a record (pure). */
export function toDrillRecord(entry: DrillResult): DrillRecord {
  return {
    spec: entry.spec,
    passed: entry.passed,
    startedAt: entry.startedAt,
    finishedAt: entry.finishedAt,
    rtoSeconds: round(measureTotalMs(entry.restore) / 1000),
    sourceStack: entry.sourceStack,
    targetStack: entry.targetStack,
    failure: entry.failure.type,
  };
}

/** The newest restore report of each stack, read from `<stateDir>/reports`. */
async function readLatestRestoreReports(
  stateDir: string,
  warnings: string[],
): Promise<RestoreRecord[]> {
  const dir = join(stateDir, "reports");
  const files = await readdir(dir).catch(() => [] as string[]);
  const latest = new Map<string, { stamp: string; file: string }>();
  for (const file of files) {
    const parsed = parseRestoreReportName(file);
    if (!parsed) continue;
    const seen = latest.get(parsed.stack);
    if (!seen || parsed.stamp >= seen.stamp)
      latest.set(parsed.stack, { stamp: parsed.stamp, file });
  }
  const records = await Promise.all(
    [...latest.values()].map(async ({ file }) => {
      const path = join(dir, file);
      try {
        const report = JSON.parse(await readFile(path, "utf8")) as RestoreReport;
        if (report.kind !== "restore" || !Array.isArray(report.phases))
          throw new Error("not a restore report");
        return [toRestoreRecord(report, { reportFile: path })];
      } catch (err) {
        warnings.push(
          `skipped restore report "${path}": ${err instanceof Error ? err.message : String(err)}`,
        );
        return [];
      }
    }),
  );
  return records.flat();
}

/** Everything `drkit status` shows of the past, for every stack. */
export async function readStatusRecords(stateDir: string): Promise<StatusRecords> {
  const warnings: string[] = [];
  const history = createFileHistoryStore({ path: historyFilePath(stateDir), log: silentLogger });
  const [reports, drills, preflights] = await Promise.all([
    readLatestRestoreReports(stateDir, warnings),
    history.read().catch((err: unknown) => {
      warnings.push(
        `could not read the drill history "${history.location}": ${err instanceof Error ? err.message : String(err)}`,
      );
      return { entries: [], warnings: [] };
    }),
    readPreflightRecords(stateDir),
  ]);
  warnings.push(...drills.warnings);
  return {
    restores: [
      ...reports,
      ...drills.entries.map((entry) =>
        toRestoreRecord({ ...entry.restore, stack: entry.targetStack }, { drill: entry.spec }),
      ),
    ],
    drills: drills.entries.map(toDrillRecord),
    preflights,
    warnings,
  };
}
