/**
 * Runs a toolchain binary and captures its output, with errors that show what failed.
 */
import { exec as realExec, type Exec, type ExecOptions, type ExecResult } from "../core/exec.ts";

export type RunResult = ExecResult;

/**
 * Runs `command args`, feeding `input` to stdin (two minutes unless `timeoutMs` says otherwise);
 * throws a `ProcessError` whose message starts with `step` when it fails.
 */
export function runTool(
  step: string,
  command: string,
  args: readonly string[],
  options: Omit<ExecOptions, "step"> = {},
  exec: Exec = realExec,
): Promise<RunResult> {
  return exec(command, args, { ...options, step });
}
