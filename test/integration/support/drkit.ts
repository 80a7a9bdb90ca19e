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

/**
 * Why a `drill fleet --json` run is not ok, for an assertion's message: each drill's status and
 * reason, then the warnings and failures its progress lines (stderr) reported, which a tail of
 * stderr would lose among the other drill's lines.
 */
export function whyNotOk(
  summary: { readonly drills?: readonly { spec: string; status: string; reason?: string }[] },
  stderr: string,
): string {
  const drills = (summary?.drills ?? []).map(
    (d) => `${d.spec}: ${d.status}${d.reason ? ` (${d.reason})` : ""}`,
  );
  const problems = stderr.split("\n").filter((line) => /"verb":"(fail|warn|error)"/.test(line));
  return [...drills, ...(problems.length > 0 ? problems : [stderr.slice(-4000)])].join("\n");
}
