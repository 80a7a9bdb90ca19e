/**
 * drkit's one process layer: every program drkit runs goes through here, on zx's `$`.
 *
 * - `exec` runs a one-shot command and resolves with its output. Every call has a timeout (two
 *   minutes unless the caller passes one); a failure is one `ProcessError` carrying the command,
 *   exit code, signal and the last lines of output, all redacted. Modules receive an `Exec`
 *   injected, so a unit test passes a fake.
 * - `execAttached` runs a program on drkit's own terminal (`drkit pulumi-env -- <cmd>`).
 * - `spawnProcess` is for the few processes that are not one-shot commands: detached daemons and
 *   `git http-backend` streaming over HTTP. It is the only other door to `node:child_process`,
 *   which no other product module imports (eslint enforces it; `bin/drkit.js`, the launcher that
 *   re-executes Node before any of this loads, keeps its own `spawnSync`).
 *
 * How zx is used: its `$` captures output (`ProcessOutput.stdout/stderr/exitCode/signal`), feeds
 * `input` to stdin, stops the process on `signal`, stays `quiet` and, with `nothrow`, leaves the
 * classification of a failure to `ProcessError`. zx always goes through a shell; drkit runs a
 * program with an argument vector instead, through zx's `spawn` injection (`argvSpawn`), so no
 * argument is ever re-parsed by a shell and a missing program fails with ENOENT. The command
 * line zx builds from the template is only what its (silenced) log would print.
 *
 * The timeout is an `AbortSignal.timeout` handed to zx's `signal` rather than zx's `timeout`:
 * zx's timeout kills through its `kill()`, which first lists the process tree by running `ps`
 * through a shell (a `ps` dependency, and a DEP0190 warning on stderr under Node 24), while its
 * abort path kills the child and closes its pipes, so a grandchild that still holds them (`sh -c`,
 * `go build`'s compilers) cannot keep the call waiting (such a grandchild is not killed: it runs
 * to its own end, usually at once, as its parent is gone).
 *
 * Output is kept whole in memory (zx has no `maxBuffer`): drkit's largest is a rendered fleet.
 *
 * A `ProcessError` is unclassified (`failureKindOf` sees "failed"), except through its cause: one
 * stopped by an aborted signal has the signal's reason as cause, so an `InterruptedError` still
 * makes the command exit as interrupted. Callers that know better wrap it (`PreflightError` when a
 * missing tool or server is the user's to fix).
 */
import { spawn, type ChildProcess, type SpawnOptions, type StdioOptions } from "node:child_process";
import { basename } from "node:path";

import { redact } from "./redact.ts";

export interface ExecOptions {
  /** What the command is for, the start of an error's message; the program's file name when absent. */
  readonly step?: string;
  readonly cwd?: string;
  /** The program's whole environment. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the program's stdin, which is then closed; without it stdin is `/dev/null`. */
  readonly input?: string;
  /** Stop the program (SIGTERM) when it runs longer. @default 120_000 */
  readonly timeoutMs?: number;
  /** Stops the program when aborted; the `ProcessError`'s cause is then the signal's reason. */
  readonly signal?: AbortSignal;
}

/** What a program that exited 0 printed (all of it: there is no buffer limit). */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` with `args` (no shell); rejects with `ProcessError` unless it exits 0. */
export type Exec = (
  command: string,
  args: readonly string[],
  options?: ExecOptions,
) => Promise<ExecResult>;

export const defaultTimeoutMs = 120_000;

/** How many lines of output an error message shows. */
const tailLength = 8;

/** How a program failed, as `ProcessError` reports it. */
export interface ProcessFailure {
  readonly step?: string | undefined;
  readonly command: string;
  readonly args: readonly string[];
  /** `null` when it was killed by a signal or never started. */
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly stdout?: string;
  readonly stderr?: string;
  /** Set when drkit stopped it: because it ran longer than `timeoutMs`, or because `signal` aborted. */
  readonly stopped?: "timeout" | "abort";
  readonly timeoutMs?: number;
  /** The abort reason, or the error that kept the program from starting (ENOENT, EACCES). */
  readonly cause?: unknown;
}

/**
 * A program failed. The message reads
 * `<step>: "<command> <args…>" exited with code 1: <last lines>` (or "was killed by SIGKILL",
 * "did not finish within 120s and was stopped", "was stopped: <reason>",
 * `<step>: could not run "<command>": <reason>`). Command, output and message are redacted.
 */
export class ProcessError extends Error {
  override readonly name = "ProcessError";
  /** The command line, `command args…` (redacted). */
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The program ran longer than its timeout and was stopped. */
  readonly timedOut: boolean;
  /** The last lines of stderr (of stdout when stderr is empty), redacted. */
  readonly lastLines: readonly string[];
  /** All it printed, redacted: for callers that report more than the last lines. */
  readonly stdout: string;
  readonly stderr: string;

  constructor(failure: ProcessFailure) {
    const command = redact([failure.command, ...failure.args.map(displayArg)].join(" "));
    const stdout = redact(failure.stdout ?? "");
    const stderr = redact(failure.stderr ?? "");
    const lastLines = (stderr.trim() || stdout.trim()).split("\n").slice(-tailLength);
    const exitCode = failure.exitCode ?? null;
    const signal = failure.signal ?? null;
    const reason = (err: unknown) => redact(err instanceof Error ? err.message : String(err));
    let what: string;
    if (failure.stopped === "timeout") {
      what = `"${command}" did not finish within ${(failure.timeoutMs ?? defaultTimeoutMs) / 1000}s and was stopped`;
    } else if (failure.stopped === "abort") {
      what = `"${command}" was stopped: ${reason(failure.cause)}`;
    } else if (exitCode === null && signal === null) {
      what = `could not run "${command}": ${reason(failure.cause)}`;
    } else if (exitCode === null) {
      what = `"${command}" was killed by ${signal}`;
    } else {
      what = `"${command}" exited with code ${exitCode}`;
    }
    const tail = lastLines.join("\n");
    super(
      `${failure.step ?? basename(failure.command)}: ${what}${tail ? `: ${tail}` : ""}`,
      failure.cause === undefined ? undefined : { cause: failure.cause },
    );
    this.command = command;
    this.exitCode = exitCode;
    this.signal = signal;
    this.timedOut = failure.stopped === "timeout";
    this.lastLines = tail ? lastLines : [];
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

/** An argument as a shell would need it, so the message can be pasted into a terminal. */
function displayArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** zx, loaded on the first run: `drkit --help` and commands that run nothing never pay for it. */
let zx: Promise<typeof import("zx/core")> | undefined;

interface ZxRun {
  readonly cwd?: string | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly input?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly stdio: StdioOptions;
}

/** Runs `command args` through zx without throwing; the caller reads the `ProcessOutput`. */
async function runZx(command: string, args: readonly string[], options: ZxRun) {
  const { $, quote } = await (zx ??= import("zx/core"));
  return $({
    spawn: argvSpawn(command, args),
    // zx checks that it has a shell and a quote function and builds a command line for its
    // log; argvSpawn runs the program itself, without a shell.
    shell: true,
    quote,
    prefix: "",
    postfix: "",
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    stdio: options.stdio,
    ...(options.input ? { input: options.input } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    nothrow: true,
    quiet: true,
    verbose: false,
    preferLocal: false,
    detached: false,
  })`${[command, ...args]}`;
}

/** A `spawn` for zx that runs `command` with `args` directly instead of zx's shell command line. */
function argvSpawn(command: string, args: readonly string[]): typeof spawn {
  const run = (_commandLine: string, _args: readonly string[], options: SpawnOptions) => {
    const child = spawn(command, [...args], { ...options, shell: false });
    // A program that exits without reading all its input makes the write fail with EPIPE; its
    // exit status is the outcome that counts, and an unhandled stream error would crash drkit.
    child.stdin?.on("error", () => undefined);
    // zx decodes each chunk on its own, which garbles a character split across two chunks.
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    return child;
  };
  return run as unknown as typeof spawn;
}

/** The real `Exec`, on zx. */
export const exec: Exec = async (command, args, options = {}) => {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const failure = { step: options.step, command, args, timeoutMs };
  const { signal: given } = options;
  if (given?.aborted) throw new ProcessError({ ...failure, stopped: "abort", cause: given.reason });
  const timeout = AbortSignal.timeout(timeoutMs);
  const output = await runZx(command, args, {
    cwd: options.cwd,
    env: options.env,
    input: options.input,
    signal: given ? AbortSignal.any([given, timeout]) : timeout,
    // An empty input is the same as none: stdin at its end from the start.
    stdio: options.input ? ["pipe", "pipe", "pipe"] : ["ignore", "pipe", "pipe"],
  });
  if (output.ok) return { stdout: output.stdout, stderr: output.stderr };
  const ran = { exitCode: output.exitCode, signal: output.signal };
  const printed = { stdout: output.stdout, stderr: output.stderr };
  if (given?.aborted) {
    throw new ProcessError({
      ...failure,
      ...ran,
      ...printed,
      stopped: "abort",
      cause: given.reason,
    });
  }
  if (timeout.aborted)
    throw new ProcessError({ ...failure, ...ran, ...printed, stopped: "timeout" });
  // An error without an exit status means the program never started (zx reports the errno).
  if (output.cause) throw new ProcessError({ ...failure, ...printed, cause: output.cause });
  throw new ProcessError({ ...failure, ...ran, ...printed });
};

/** How a program run with `execAttached` ended. */
export interface AttachedExit {
  readonly exitCode: number | null;
  readonly signal: string | null;
}

/**
 * Runs a program on drkit's own stdin, stdout and stderr until it exits, and resolves with how it
 * ended; rejects with `ProcessError` only when it cannot start.
 *
 * The one call without a timeout: it is a command a person runs by hand (`drkit pulumi-env --
 * pulumi up`), which may prompt and runs as long as they let it; Ctrl-C reaches it directly.
 * Nothing is captured, so there are no output lines to report.
 */
export async function execAttached(
  command: string,
  args: readonly string[],
  options: Pick<ExecOptions, "cwd" | "env" | "signal" | "step"> = {},
): Promise<AttachedExit> {
  const output = await runZx(command, args, {
    cwd: options.cwd,
    env: options.env,
    signal: options.signal,
    stdio: "inherit",
  });
  if (output.cause && !options.signal?.aborted) {
    throw new ProcessError({ step: options.step, command, args, cause: output.cause });
  }
  return { exitCode: output.exitCode, signal: output.signal };
}

/**
 * Starts a process that is not a one-shot command, with `node:child_process`'s own options:
 * a detached daemon (`startDetached`) or a program whose stdio is streamed (`git http-backend`
 * behind the local Git server). The caller owns its lifetime; there is no timeout and no
 * `ProcessError`. Everything else goes through `exec`.
 */
export function spawnProcess(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  return spawn(command, [...args], options);
}
