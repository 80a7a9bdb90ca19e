/**
 * The default drill history: an append-only NDJSON file in the state dir.
 */
import { mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";

import type { Logger } from "../../core/logger.ts";
import type { DrillResult } from "./drill-result.ts";
import { parseHistory, serializeHistoryEntry } from "./ndjson.ts";
import type { DrillHistoryStore } from "./store.ts";

/**
 * Appends `line` to `path` in one write, after terminating a torn last line (an append that was
 * cut short) so the new entry starts on a line of its own.
 */
export async function appendHistoryLine(path: string, line: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // O_APPEND: every write lands at the end, even with two drills recording at once.
  const handle = await open(path, "a+", 0o644);
  try {
    const { size } = await handle.stat();
    let prefix = "";
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = "\n";
    }
    await handle.write(prefix + line);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A history kept in an NDJSON file (`historyFilePath(stateDir)` by default). */
export function createFileHistoryStore(options: {
  readonly path: string;
  readonly log: Logger;
}): DrillHistoryStore {
  const { path, log } = options;
  return {
    location: path,
    async append(result: DrillResult) {
      await appendHistoryLine(path, serializeHistoryEntry(result));
      log.success(`recorded drill "${result.spec}" in "${path}"`);
    },
    async read() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], warnings: [] };
        throw err;
      }
      const history = parseHistory(text, path);
      for (const warning of history.warnings) log.warn(warning);
      return history;
    },
  };
}
