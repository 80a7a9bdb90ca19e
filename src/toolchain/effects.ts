/**
 * The toolchain's side effects, injected so the resolution logic runs against small fakes in
 * unit tests: running programs, HTTP downloads and time. Files are read and written through
 * `node:fs` under directories the caller chooses (tests use temp dirs).
 */
import { execFile } from "node:child_process";

import { systemClock, type Clock } from "../core/clock.ts";

/** What a finished program left behind. `code` is -1 when it could not be started (see `error`). */
export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be started or was killed, e.g. "ENOENT" or "ETIMEDOUT". */
  readonly error?: string;
}

export interface ExecOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the program after this long; no limit when absent. */
  readonly timeoutMs?: number;
}

/** Runs a program without a shell and resolves with its outcome; never rejects. */
export type Exec = (
  file: string,
  args: readonly string[],
  options?: ExecOptions,
) => Promise<ExecResult>;

/** The subset of the WHATWG `fetch` the release download uses. */
export type Fetch = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface ToolchainEffects {
  readonly exec: Exec;
  readonly fetch: Fetch;
  readonly clock: Clock;
}

/** Runs programs with `child_process.execFile`, capturing up to 64 MiB of output. */
export const systemExec: Exec = (file, args, options = {}) =>
  new Promise((resolve) => {
    execFile(
      file,
      [...args],
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs ?? 0,
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        if (typeof e.code === "number") return resolve({ code: e.code, stdout, stderr });
        const error = e.killed ? "ETIMEDOUT" : String(e.code ?? e.message);
        resolve({ code: -1, stdout, stderr, error });
      },
    );
  });

/** The real side effects. */
export function systemEffects(): ToolchainEffects {
  return { exec: systemExec, fetch: (url, init) => fetch(url, init), clock: systemClock };
}
