/**
 * drkit's exit codes, documented in the README. Only `cli/` maps errors to them.
 */
import { failureKindOf, type FailureKind } from "../core/errors.ts";

export const ExitCode = {
  /** Everything asked for worked (a drill met its objectives, a verify found no drift). */
  ok: 0,
  /** The operation ran and failed: a restore step, a drill objective, drift found by verify. */
  failed: 1,
  /** Bad input: a flag, a config key, a drill spec. Nothing was changed. */
  usage: 2,
  /** A preflight check failed: a missing tool, key or cluster. Nothing was changed. */
  preflight: 3,
  /** Interrupted (SIGINT/SIGTERM). */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code of a failure kind, as the README documents them. */
export function exitCodeForKind(kind: FailureKind): ExitCodeValue {
  switch (kind) {
    case "bad-input":
      return ExitCode.usage;
    case "preflight":
      return ExitCode.preflight;
    case "interrupted":
      return ExitCode.interrupted;
    case "failed":
      return ExitCode.failed;
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown failure kind ${String(unreachable)}`);
    }
  }
}

/** Maps an error to the exit code a script can act on. */
export function exitCodeFor(err: unknown): ExitCodeValue {
  if (err instanceof Error && err.name === "CommanderError") return ExitCode.usage;
  return exitCodeForKind(failureKindOf(err));
}
