/**
 * The toolchain's side effects, injected so the resolution logic runs against small fakes in
 * unit tests: running programs, HTTP downloads and time. Files are read and written through
 * `node:fs` under directories the caller chooses (tests use temp dirs).
 */
import { systemClock, type Clock } from "../core/clock.ts";
import { exec as processExec, ProcessError, type Exec as ProcessExec } from "../core/exec.ts";

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
  /** Stop the program after this long. @default buildTimeoutMs */
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

/**
 * The limit of a call that names none: a `go build` of the Pulumi Kubernetes provider from a cold
 * module cache takes many minutes on a slow machine; the limit only ends a build that hangs.
 */
export const buildTimeoutMs = 60 * 60_000;

/** The toolchain's `Exec` over drkit's process layer: a failure becomes a result, never a rejection. */
export function toolchainExec(run: ProcessExec = processExec): Exec {
  return async (file, args, options = {}) => {
    try {
      const { stdout, stderr } = await run(file, args, {
        ...options,
        timeoutMs: options.timeoutMs ?? buildTimeoutMs,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      if (!(err instanceof ProcessError)) {
        const error = err instanceof Error ? err.message : String(err);
        return { code: -1, stdout: "", stderr: "", error };
      }
      const { stdout, stderr } = err;
      if (err.exitCode !== null && !err.timedOut) return { code: err.exitCode, stdout, stderr };
      const cause = err.cause as NodeJS.ErrnoException | undefined;
      const error = err.timedOut
        ? "ETIMEDOUT"
        : err.signal !== null
          ? `killed by ${err.signal}`
          : (cause?.code ?? err.message);
      return { code: -1, stdout, stderr, error };
    }
  };
}

/** Runs programs through `core/exec` (no shell), each within `buildTimeoutMs` unless told otherwise. */
export const systemExec: Exec = toolchainExec();

/** The real side effects. */
export function systemEffects(): ToolchainEffects {
  return { exec: systemExec, fetch: (url, init) => fetch(url, init), clock: systemClock };
}
