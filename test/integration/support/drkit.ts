/**
 * The real `drkit` command as a child process, as a user runs it: its exit code and both
 * streams, with the environment the test sets up (its state dir and ports).
 */
import { spawn } from "node:child_process";

export interface DrkitRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A `drkit(args)` that runs with `env()` (read at each call: tests set it in `beforeAll`). */
export function drkitCommand(env: () => NodeJS.ProcessEnv) {
  return (args: readonly string[]): Promise<DrkitRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["bin/drkit.js", ...args], {
        env: env(),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
}
