/**
 * Runs a toolchain binary and captures its output, with errors that show what failed.
 */
import { spawn } from "node:child_process";

import { StepFailedError } from "../core/errors.ts";
import { redact } from "../core/redact.ts";

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command args`, feeding `input` to stdin; throws StepFailedError on a non-zero exit. */
export function runTool(
  step: string,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", (err) =>
      reject(new StepFailedError(step, `could not run "${command}"`, { cause: err })),
    );
    child.once("close", (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else {
        const why = signal ? `was killed by ${signal}` : `exited ${code}`;
        const tail = redact((stderr || stdout).trim().split("\n").slice(-8).join("\n"));
        reject(new StepFailedError(step, `"${command} ${args.join(" ")}" ${why}: ${tail}`));
      }
    });
    child.stdin.end(options.input ?? "");
  });
}
