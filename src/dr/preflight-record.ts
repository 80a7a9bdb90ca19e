/**
 * The last preflight result of each stack, kept in the state dir so `drkit status` can show DR
 * readiness without rendering the fleet again: `<stateDir>/preflight/<stack>.json`, rewritten by
 * every preflight (`drkit preflight`, the one a restore or drill runs first, `status --preflight`).
 *
 * Only the verdict, the commit and the names of the checks that failed are kept: findings quote
 * the fleet, and a record in the state dir has no reason to hold more than the report does.
 */
import { mkdir, readFile, readdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

import type { PreflightResult } from "./preflight/index.ts";

/** One stack's last preflight, as recorded. */
export interface PreflightRecord {
  readonly stack: string;
  readonly ok: boolean;
  readonly ref: string;
  /** The commit the ref resolved to; empty when it did not resolve. */
  readonly commit: string;
  /** When the checks finished (ISO 8601). */
  readonly checkedAt: string;
  /** How many findings the failed checks listed. */
  readonly failures: number;
  /** The checks that did not pass (failed or skipped), in run order. */
  readonly failedChecks: readonly string[];
}

/** The directory of the records under a state dir. */
export function preflightRecordDir(stateDir: string): string {
  return join(stateDir, "preflight");
}

/** The record of a result (pure). */
export function toPreflightRecord(result: PreflightResult, checkedAt: Date): PreflightRecord {
  return {
    stack: result.stack,
    ok: result.ok,
    ref: result.ref,
    commit: result.commit,
    checkedAt: checkedAt.toISOString(),
    failures: result.checks.reduce((n, c) => n + c.failures.length, 0),
    failedChecks: result.checks.filter((c) => !c.ok).map((c) => c.name),
  };
}

/** Replaces the stack's record (atomically: a reader never sees half a file). */
export async function writePreflightRecord(
  stateDir: string,
  record: PreflightRecord,
): Promise<void> {
  const dir = preflightRecordDir(stateDir);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${record.stack}.json`);
  await writeFile(`${file}.tmp`, JSON.stringify(record, null, 2) + "\n");
  await rename(`${file}.tmp`, file);
}

/** Every stack's record; files that do not parse as one are skipped. */
export async function readPreflightRecords(stateDir: string): Promise<PreflightRecord[]> {
  const dir = preflightRecordDir(stateDir);
  const files = await readdir(dir).catch(() => [] as string[]);
  const records = await Promise.all(
    files
      .filter((f) => f.endsWith(".json"))
      .map(async (f) => {
        try {
          const record = JSON.parse(await readFile(join(dir, f), "utf8")) as PreflightRecord;
          return typeof record.stack === "string" &&
            typeof record.ok === "boolean" &&
            typeof record.checkedAt === "string"
            ? [record]
            : [];
        } catch {
          return [];
        }
      }),
  );
  return records.flat().sort((a, b) => a.stack.localeCompare(b.stack));
}
