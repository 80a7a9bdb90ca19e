/**
 * The few error classes drkit raises. Only `cli/` maps them to exit codes.
 *
 * Every message names what the user gave and how to fix it; wrap lower-level errors with
 * `{ cause }` so the chain survives into `--json` output.
 */

/** Bad input: a config key, flag or spec field. Raised before anything is created or destroyed. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** The user-facing key that is wrong, e.g. `drkit:region` or `objectives.rtoSeconds`. */
  readonly key: string | undefined;
  constructor(message: string, options?: { key?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.key = options?.key;
  }
}

/** Something the machine or cluster needs is missing; the message says how to provide it. */
export class PreflightError extends Error {
  override readonly name = "PreflightError";
  /** Every failed check, so callers can report them together rather than one at a time. */
  readonly failures: readonly string[];
  constructor(message: string, options?: { failures?: readonly string[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.failures = options?.failures ?? [message];
  }
}

/** A step of a longer operation (restore, drill, toolchain build) failed. */
export class StepFailedError extends Error {
  override readonly name = "StepFailedError";
  readonly step: string;
  constructor(step: string, message: string, options?: { cause?: unknown }) {
    super(
      `${step}: ${message}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.step = step;
  }
}

/**
 * What kind of failure stopped an operation; the CLI maps it to the exit code once.
 *
 * `bad-input` and `preflight` mean nothing was changed; `interrupted` a signal stopped it.
 */
export type FailureKind = "bad-input" | "preflight" | "failed" | "interrupted";

/** Thrown (as an abort reason) when SIGINT or SIGTERM stops an operation. */
export class InterruptedError extends Error {
  override readonly name = "InterruptedError";
  readonly signal: string;
  constructor(signal: string) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
  }
}

/** The kind of an error, looking through `{ cause }` wrappers to the first classified one. */
export function failureKindOf(err: unknown): FailureKind {
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    if (current instanceof ConfigError) return "bad-input";
    if (current instanceof PreflightError) return "preflight";
    if (current instanceof InterruptedError) return "interrupted";
    if (current instanceof StepFailedError) return "failed";
    current = current.cause;
  }
  return "failed";
}

/** Renders an error and its causes as one line each, for logs and reports. */
export function describeError(err: unknown): string {
  const lines: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof Error) {
      lines.push(current.message);
      current = current.cause;
    } else {
      lines.push(String(current));
      current = undefined;
    }
  }
  return lines.join("\n  caused by: ");
}
