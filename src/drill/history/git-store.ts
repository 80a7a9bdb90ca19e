/**
 * The drill history on a branch of the fleet repo (`drkit-drill-history` by default).
 *
 * Each append clones the branch into a temporary directory, appends one line to `history.ndjson`,
 * commits and pushes; the branch is created as an orphan (no fleet files on it) the first time.
 * When another drill pushed in between, the push is rejected and the whole append is retried on
 * the new tip, so no entry is ever overwritten.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";

import { StepFailedError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import { redact } from "../../core/redact.ts";
import type { DrillResult } from "./drill-result.ts";
import { appendHistoryLine } from "./file-store.ts";
import { parseHistory, serializeHistoryEntry } from "./ndjson.ts";
import type { DrillHistoryStore } from "./store.ts";

/** The default branch of the fleet repo that holds the history with `--store git`. */
export const defaultHistoryBranch = "drkit-drill-history";

/** Options of `createGitHistoryStore`. */
export interface GitHistoryStoreOptions {
  /** URL (or path) of the fleet repo. Credentials in it are redacted from every message. */
  readonly repoUrl: string;
  /** @default - "drkit-drill-history" */
  readonly branch?: string;
  /** The file on the branch. @default - "history.ndjson" */
  readonly file?: string;
  /** Attempts when a concurrent push wins the race. @default - 3 */
  readonly maxAttempts?: number;
  readonly log: Logger;
}

// Commits are made by drkit, whatever the machine's git identity or signing setup.
const gitConfig = ["user.name=drkit", "user.email=drkit@localhost", "commit.gpgsign=false"];

function gitIn(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, config: gitConfig });
}

async function branchExists(repoUrl: string, branch: string): Promise<boolean> {
  const heads = await simpleGit({ config: gitConfig }).listRemote([
    "--heads",
    repoUrl,
    `refs/heads/${branch}`,
  ]);
  return heads.trim() !== "";
}

/** Clones the history branch into `dir`, or starts it there as an orphan branch. */
async function checkoutHistory(repoUrl: string, branch: string, dir: string): Promise<SimpleGit> {
  if (await branchExists(repoUrl, branch)) {
    await simpleGit({ config: gitConfig }).clone(repoUrl, dir, [
      "--branch",
      branch,
      "--single-branch",
    ]);
    return gitIn(dir);
  }
  const git = gitIn(dir);
  await git.init([`--initial-branch=${branch}`]);
  await git.addRemote("origin", repoUrl);
  return git;
}

/** A push that lost the race to another drill (the branch moved, or was created, meanwhile). */
function isRejectedPush(err: unknown): boolean {
  return (
    err instanceof Error &&
    /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|incorrect old value/i.test(
      err.message,
    )
  );
}

/** A history kept on a branch of a Git repository. */
export function createGitHistoryStore(options: GitHistoryStoreOptions): DrillHistoryStore {
  const { repoUrl, log } = options;
  const branch = options.branch ?? defaultHistoryBranch;
  const file = options.file ?? "history.ndjson";
  const attempts = options.maxAttempts ?? 3;
  const location = `${redact(repoUrl)} branch ${branch}`;

  async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), "drkit-history-"));
    try {
      return await body(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function appendOnce(result: DrillResult): Promise<void> {
    await withTempDir(async (dir) => {
      const git = await checkoutHistory(repoUrl, branch, dir);
      await appendHistoryLine(join(dir, file), serializeHistoryEntry(result));
      await git.add(file);
      await git.commit(
        `drill ${result.spec}: ${result.passed ? "passed" : "failed"} at ${result.startedAt}`,
      );
      await git.push("origin", `HEAD:refs/heads/${branch}`);
    });
  }

  return {
    location,
    async append(result) {
      log.action(`recording drill "${result.spec}" on ${location}`);
      for (let attempt = 1; ; attempt++) {
        try {
          await appendOnce(result);
          log.success(`recorded drill "${result.spec}" on ${location}`);
          return;
        } catch (err) {
          if (isRejectedPush(err) && attempt < attempts) {
            log.waiting(`another drill recorded first; retrying (${attempt + 1}/${attempts})`);
            continue;
          }
          throw new StepFailedError(
            "record",
            `cannot record drill "${result.spec}" on ${location}: ${redact(err instanceof Error ? err.message : String(err))}`,
            { cause: err },
          );
        }
      }
    },
    async read() {
      try {
        if (!(await branchExists(repoUrl, branch))) return { entries: [], warnings: [] };
        return await withTempDir(async (dir) => {
          await simpleGit({ config: gitConfig }).clone(repoUrl, dir, [
            "--branch",
            branch,
            "--single-branch",
            "--depth",
            "1",
          ]);
          // A branch without the file (someone pushed other files only) is an empty history.
          const text = await readFile(join(dir, file), "utf8").catch(
            (err: NodeJS.ErrnoException) => {
              if (err.code === "ENOENT") return "";
              throw err;
            },
          );
          const history = parseHistory(text, `${location}:${file}`);
          for (const warning of history.warnings) log.warn(warning);
          return history;
        });
      } catch (err) {
        throw new StepFailedError(
          "history",
          `cannot read the drill history from ${location}: ${redact(err instanceof Error ? err.message : String(err))}`,
          { cause: err },
        );
      }
    },
  };
}
