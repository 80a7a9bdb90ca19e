/**
 * The fleet repository as the DR engine sees it: a bare mirror kept under the state dir, used to
 * resolve refs, find encrypted files and check out a commit for rendering.
 *
 * It runs `git` itself rather than through simple-git, which settles a command that printed
 * nothing (`clone --quiet`, a `grep` without a match) 50 ms after it exited: the restore's
 * preflight waits for these calls, and those pauses were 100 of its 160 ms. The runs go through
 * `core/exec` (injected: unit tests may pass a fake).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

import { PreflightError } from "../core/errors.ts";
import { exec as realExec, ProcessError, type Exec } from "../core/exec.ts";
import { redact } from "../core/redact.ts";
import type { GitClient, ResolvedRef } from "./restore/types.ts";

/** Where the mirror of a fleet URL lives. */
export function mirrorDir(stateDir: string, url: string): string {
  const id = createHash("sha256").update(url).digest("hex").slice(0, 16);
  return join(stateDir, "cache", "fleet", `${id}.git`);
}

/** A git command that exited non-zero: its exit code and what it printed on stderr. */
class GitCommandError extends Error {
  override readonly name = "GitCommandError";
  readonly exitCode: number;
  constructor(
    args: readonly string[],
    exitCode: number,
    stderr: string,
    options?: { cause?: unknown },
  ) {
    super(stderr.trim() || `git ${args[0]} exited ${exitCode}`, options);
    this.exitCode = exitCode;
  }
}

/** Never prompt for credentials: a restore must fail with a message, not wait for a terminal. */
const gitEnv = { ...process.env, GIT_TERMINAL_PROMPT: "0" };

/** A clone of a large fleet over a slow link is the longest git call drkit makes. */
const gitTimeoutMs = 600_000;

/** Runs `git args`; resolves with stdout, rejects with GitCommandError (git's stderr as message). */
async function git(exec: Exec, args: readonly string[]): Promise<string> {
  try {
    return (await exec("git", args, { env: gitEnv, timeoutMs: gitTimeoutMs })).stdout;
  } catch (err) {
    // A git that exited with a code speaks for itself; a timeout, a signal or a missing git is
    // the ProcessError's to say.
    if (!(err instanceof ProcessError) || err.exitCode === null) throw err;
    throw new GitCommandError(args, err.exitCode, err.stderr || err.stdout, {
      cause: err,
    });
  }
}

/** Fetches (or first clones) the mirror of `url`; throws PreflightError naming the URL when unreachable. */
export async function syncMirror(
  stateDir: string,
  url: string,
  exec: Exec = realExec,
): Promise<string> {
  const dir = mirrorDir(stateDir, url);
  try {
    if (!existsSync(join(dir, "HEAD"))) {
      mkdirSync(dir, { recursive: true });
      await git(exec, ["clone", "--mirror", "--quiet", "--", url, dir]);
    } else {
      await git(exec, ["-C", dir, "fetch", "--prune", "--quiet", "origin"]);
    }
  } catch (err) {
    throw new PreflightError(
      `cannot fetch the fleet repository "${redact(url)}": ${redact(err instanceof Error ? err.message.split("\n")[0]! : String(err))}; check that the Git server is up and the URL and credentials in drkit:fleet are right`,
      { cause: err },
    );
  }
  return dir;
}

/** The full sha `name` (a ref or sha) resolves to in `dir`, or "" when it names no commit. */
async function revParse(exec: Exec, dir: string, name: string): Promise<string> {
  try {
    const args = ["-C", dir, "rev-parse", "--verify", "--quiet", `${name}^{commit}`];
    return (await git(exec, args)).trim();
  } catch {
    return "";
  }
}

/** A GitClient over mirrors in `stateDir`. */
export function createFleetGit(
  stateDir: string,
  exec: Exec = realExec,
): GitClient & { checkout(url: string, commit: string, into: string): Promise<void> } {
  return {
    async resolveRef(url, ref): Promise<ResolvedRef> {
      const dir = await syncMirror(stateDir, url, exec);
      const branch = await revParse(exec, dir, `refs/heads/${ref}`);
      if (branch) return { name: ref, kind: "branch", commit: branch };
      const tag = await revParse(exec, dir, `refs/tags/${ref}`);
      if (tag) return { name: ref, kind: "tag", commit: tag };
      if (/^[0-9a-f]{7,40}$/.test(ref)) {
        const commit = await revParse(exec, dir, ref);
        if (commit) return { name: ref, kind: "commit", commit };
      }
      throw new PreflightError(
        `ref "${ref}" does not exist in "${redact(url)}": give a branch, a tag or a commit sha that the repository has (\`git ls-remote ${redact(url)}\` lists them)`,
      );
    },
    async hasEncryptedFiles(url, commit) {
      const dir = mirrorDir(stateDir, url);
      try {
        const patterns = ["*.yaml", "*.yml", "*.json"];
        const args = ["-C", dir, "grep", "-l", "-E", "^sops:", commit, "--", ...patterns];
        const out = await git(exec, args);
        return out.trim().length > 0;
      } catch {
        // git grep exits 1 when nothing matches.
        return false;
      }
    },
    async checkout(url, commit, into) {
      // A commit the mirror already has cannot have changed: fetch only for one it lacks.
      const known = mirrorDir(stateDir, url);
      const dir =
        existsSync(join(known, "HEAD")) && (await revParse(exec, known, commit)) === commit
          ? known
          : await syncMirror(stateDir, url, exec);
      mkdirSync(into, { recursive: true });
      try {
        await exec(
          "sh",
          ["-c", 'git -C "$1" archive "$2" | tar -x -C "$3"', "sh", dir, commit, into],
          { timeoutMs: gitTimeoutMs },
        );
      } catch (err) {
        if (!(err instanceof ProcessError) || err.exitCode === null) throw err;
        throw new PreflightError(
          `cannot check out ${commit} of "${redact(url)}": ${err.stderr.trim()}`,
          { cause: err },
        );
      }
    },
  };
}
