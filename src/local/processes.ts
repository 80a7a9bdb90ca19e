/**
 * Host processes of the local platform: start detached with a pidfile and a log, find and stop
 * them again, even after a crash left stale pidfiles behind.
 */
import { openSync, closeSync, mkdirSync } from "node:fs";
import { readFile, readdir, readlink, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

import { spawnProcess } from "../core/exec.ts";
import { isAlive } from "../core/pid.ts";

/** What to start: a binary, its args, env and where its pidfile and log live. */
export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly pidFile: string;
  readonly logFile: string;
}

/**
 * Starts a detached process that outlives drkit, writing its pid to `spec.pidFile`.
 *
 * A daemon, not a one-shot command: it goes through `spawnProcess`, not `exec` (no timeout).
 */
export async function startDetached(spec: ProcessSpec): Promise<number> {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  const out = openSync(spec.logFile, "a");
  try {
    const child = spawnProcess(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ["ignore", out, out],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("spawn", () => resolve(child.pid!));
    });
    child.unref();
    await writeFile(spec.pidFile, `${pid}\n`);
    return pid;
  } finally {
    closeSync(out);
  }
}

/** Reads a pidfile; undefined when missing or garbage. */
export async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(pidFile, "utf8")).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lists pids of processes that belong under `dir`: their working directory is inside it or
 * their command line mentions it. Used to clean up after a crash, when pidfiles lie.
 */
export async function findProcessesUnder(dir: string): Promise<number[]> {
  const prefix = dir.endsWith("/") ? dir : dir + "/";
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cwd = await readlink(`/proc/${pid}/cwd`);
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").join(" ");
      if ((cwd + "/").startsWith(prefix) || cmdline.includes(prefix)) found.push(pid);
    } catch {
      // The process exited while we looked, or is not ours to read.
    }
  }
  return found;
}

/** Sends SIGTERM, waits up to `graceMs`, then SIGKILL. Resolves once every pid is gone. */
export async function stopProcesses(pids: readonly number[], graceMs = 5_000): Promise<void> {
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  };
  pids.forEach((pid) => signal(pid, "SIGTERM"));
  const deadline = Date.now() + graceMs;
  let alive = [...pids];
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    alive = (await Promise.all(alive.map(async (p) => ((await isAlive(p)) ? p : -1)))).filter(
      (p) => p > 0,
    );
  }
  alive.forEach((pid) => signal(pid, "SIGKILL"));
  while (alive.length > 0) {
    await new Promise((r) => setTimeout(r, 50));
    alive = (await Promise.all(alive.map(async (p) => ((await isAlive(p)) ? p : -1)))).filter(
      (p) => p > 0,
    );
  }
}

/** Stops the process named by a pidfile (if alive) and removes the pidfile. */
export async function stopByPidFile(pidFile: string, graceMs?: number): Promise<void> {
  const pid = await readPid(pidFile);
  if (pid !== undefined && (await isAlive(pid))) await stopProcesses([pid], graceMs);
  await rm(pidFile, { force: true });
}
