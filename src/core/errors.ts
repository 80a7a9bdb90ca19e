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
