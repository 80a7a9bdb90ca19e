/**
 * Whether a process still runs, read from `/proc` (Linux).
 */
import { readFile } from "node:fs/promises";

/**
 * True when a process with this pid exists and still runs code: not a zombie.
 *
 * A multi-threaded program (every Go binary) killed by a signal shows its main thread as a
 * zombie while its other threads still tear down; they share the file table, so its sockets
 * stay open until the last one exits. Such a process is alive until `Threads:` drops to 1.
 */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    return processRuns(status);
  } catch {
    return false;
  }
}

/** Reads `/proc/<pid>/status` text (pure): running unless a zombie with no thread left. */
export function processRuns(statusText: string): boolean {
  const state = /^State:\s+(\S)/m.exec(statusText)?.[1];
  const threads = Number(/^Threads:\s+(\d+)/m.exec(statusText)?.[1] ?? "1");
  return state !== "Z" || threads > 1;
}
