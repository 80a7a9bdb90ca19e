import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import { beforeEach, describe, expect, it } from "vitest";

import { StepFailedError } from "../../../../src/core/errors.ts";
import { createMemoryLogger } from "../../../../src/core/logger.ts";
import { createGitHistoryStore } from "../../../../src/drill/history/git-store.ts";
import { serializeHistoryEntry } from "../../../../src/drill/history/ndjson.ts";
import { fakeDrill } from "./fake-drill.ts";

const identity = ["user.name=test", "user.email=test@localhost", "commit.gpgsign=false"];
const drills = [1, 2, 3].map((day) =>
  fakeDrill({
    startedAt: `2026-03-0${day}T10:00:00Z`,
    phases: { provision: 40 + day, converge: 60 },
  }),
);

let repoUrl: string;

/** A bare "fleet repo" with one commit on main, as the git server would hold it. */
beforeEach(async () => {
  const root = await mkdtemp(join(tmpdir(), "drkit-git-history-"));
  repoUrl = join(root, "fleet.git");
  await simpleGit().init(true, [repoUrl, "--initial-branch=main"]);
  const work = join(root, "work");
  await simpleGit().clone(repoUrl, work);
  const git = simpleGit({ baseDir: work, config: identity });
  await git.raw(["checkout", "-b", "main"]);
  await git.raw(["commit", "--allow-empty", "-m", "fleet"]);
  await git.push("origin", "main");
});

async function branchFile(
  branch: string,
): Promise<{ files: string[]; history: string; commits: number }> {
  const dir = await mkdtemp(join(tmpdir(), "drkit-git-check-"));
  await simpleGit().clone(repoUrl, dir, ["--branch", branch]);
  const git = simpleGit(dir);
  const files = (await git.raw(["ls-files"])).trim().split("\n");
  const commits = Number((await git.raw(["rev-list", "--count", "HEAD"])).trim());
  return { files, history: await readFile(join(dir, "history.ndjson"), "utf8"), commits };
}

describe("git history store", () => {
  it("reads an empty history when the branch does not exist", async () => {
    const store = createGitHistoryStore({ repoUrl, log: createMemoryLogger() });
    expect(await store.read()).toEqual({ entries: [], warnings: [] });
    expect(store.location).toBe(`${repoUrl} branch drkit-drill-history`);
  });

  it("creates an orphan branch holding only the history, then appends to it", async () => {
    const store = createGitHistoryStore({ repoUrl, log: createMemoryLogger() });
    for (const drill of drills) await store.append(drill);
    expect(await branchFile("drkit-drill-history")).toEqual({
      files: ["history.ndjson"],
      history: drills.map(serializeHistoryEntry).join(""),
      commits: 3,
    });
    // The fleet's own branch is untouched and shares no history with the drill branch.
    const main = await simpleGit().listRemote([repoUrl, "refs/heads/main"]);
    const mergeBase = await simpleGit(repoUrl).raw([
      "merge-base",
      "--all",
      "main",
      "drkit-drill-history",
    ]);
    expect(mergeBase).toBe("");
    expect(main).toMatch(/refs\/heads\/main/);
    expect(await store.read()).toEqual({ entries: drills, warnings: [] });
  });

  it("retries when another drill pushed first, losing no entry", async () => {
    const log = createMemoryLogger();
    const stores = drills.map(() => createGitHistoryStore({ repoUrl, log, maxAttempts: 5 }));
    await Promise.all(stores.map((store, i) => store.append(drills[i]!)));
    const { entries } = await stores[0]!.read();
    expect(entries.map((e) => e.startedAt).sort()).toEqual(drills.map((d) => d.startedAt));
    // All three found no branch and created it; only one of those pushes could win.
    expect(
      log.events.filter((e) => e.message.startsWith("another drill recorded first")),
    ).not.toEqual([]);
  });

  it("fails with the step and the redacted URL when the repo cannot be reached", async () => {
    const store = createGitHistoryStore({
      repoUrl: "http://drkit:s3cret-password@127.0.0.1:9/fleet.git",
      log: createMemoryLogger(),
    });
    const error = await store.append(drills[0]!).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(StepFailedError);
    expect((error as Error).message).toMatch(
      /^record: cannot record drill "local-region-loss" on http:\/\/drkit:\*\*\*@127\.0\.0\.1:9\/fleet\.git branch drkit-drill-history: /,
    );
    expect((error as Error).message).not.toContain("s3cret-password");
  });
});
