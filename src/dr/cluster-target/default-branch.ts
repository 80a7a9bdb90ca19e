/**
 * The fleet's default branch, for a cluster target restored without `--ref`: what the remote's
 * `HEAD` points at (`git ls-remote --symref`), else `main`.
 */
import { exec as realExec, type Exec } from "../../core/exec.ts";

/** The branch a `git ls-remote --symref <url> HEAD` output names (pure). */
export function parseSymref(output: string): string | undefined {
  const match = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(output);
  return match?.[1];
}

/**
 * The remote's default branch; `main` when the remote names none or cannot be asked (resolving
 * the ref then reports the unreachable server with its fix).
 */
export async function defaultBranch(url: string, exec: Exec = realExec): Promise<string> {
  try {
    const { stdout } = await exec("git", ["ls-remote", "--symref", "--", url, "HEAD"], {
      step: "read the fleet's default branch",
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
      timeoutMs: 60_000,
    });
    return parseSymref(stdout) ?? "main";
  } catch {
    return "main";
  }
}
