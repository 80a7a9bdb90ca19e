/**
 * The fleet repository as the DR engine sees it: a bare mirror kept under the state dir, used to
 * resolve refs, find encrypted files and check out a commit for rendering.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { simpleGit } from "simple-git";

import { PreflightError } from "../core/errors.ts";
import { redact } from "../core/redact.ts";
import type { GitClient, ResolvedRef } from "./restore/types.ts";

/** Where the mirror of a fleet URL lives. */
export function mirrorDir(stateDir: string, url: string): string {
  const id = createHash("sha256").update(url).digest("hex").slice(0, 16);
  return join(stateDir, "cache", "fleet", `${id}.git`);
}

/** Fetches (or first clones) the mirror of `url`; throws PreflightError naming the URL when unreachable. */
export async function syncMirror(stateDir: string, url: string): Promise<string> {
  const dir = mirrorDir(stateDir, url);
  try {
    if (!existsSync(join(dir, "HEAD"))) {
      mkdirSync(dir, { recursive: true });
      await simpleGit().clone(url, dir, ["--mirror", "--quiet"]);
    } else {
      await simpleGit(dir).raw(["remote", "update", "--prune"]);
    }
  } catch (err) {
    throw new PreflightError(
      `cannot fetch the fleet repository "${redact(url)}": ${redact(err instanceof Error ? err.message.split("\n")[0]! : String(err))}; check that the Git server is up and the URL and credentials in drkit:fleet are right`,
      { cause: err },
    );
  }
  return dir;
}

/** A GitClient over mirrors in `stateDir`. */
export function createFleetGit(
  stateDir: string,
): GitClient & { checkout(url: string, commit: string, into: string): Promise<void> } {
  return {
    async resolveRef(url, ref): Promise<ResolvedRef> {
      const dir = await syncMirror(stateDir, url);
      const git = simpleGit(dir);
      const lookup = async (name: string) => {
        try {
          return (await git.raw(["rev-parse", "--verify", "--quiet", `${name}^{commit}`])).trim();
        } catch {
          return "";
        }
      };
      const branch = await lookup(`refs/heads/${ref}`);
      if (branch) return { name: ref, kind: "branch", commit: branch };
      const tag = await lookup(`refs/tags/${ref}`);
      if (tag) return { name: ref, kind: "tag", commit: tag };
      if (/^[0-9a-f]{7,40}$/.test(ref)) {
        const commit = await lookup(ref);
        if (commit) return { name: ref, kind: "commit", commit };
      }
      throw new PreflightError(
        `ref "${ref}" does not exist in "${redact(url)}": give a branch, a tag or a commit sha that the repository has (\`git ls-remote ${redact(url)}\` lists them)`,
      );
    },
    async hasEncryptedFiles(url, commit) {
      const git = simpleGit(mirrorDir(stateDir, url));
      try {
        const out = await git.raw([
          "grep",
          "-l",
          "-E",
          "^sops:",
          commit,
          "--",
          "*.yaml",
          "*.yml",
          "*.json",
        ]);
        return out.trim().length > 0;
      } catch {
        // git grep exits 1 when nothing matches.
        return false;
      }
    },
    async checkout(url, commit, into) {
      const dir = await syncMirror(stateDir, url);
      mkdirSync(into, { recursive: true });
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          "sh",
          ["-c", 'git -C "$1" archive "$2" | tar -x -C "$3"', "sh", dir, commit, into],
          { stdio: ["ignore", "ignore", "pipe"] },
        );
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.once("error", reject);
        child.once("close", (code) =>
          code === 0
            ? resolve()
            : reject(
                new PreflightError(
                  `cannot check out ${commit} of "${redact(url)}": ${stderr.trim()}`,
                ),
              ),
        );
      });
    },
  };
}
