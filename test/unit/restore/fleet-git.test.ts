import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { PreflightError } from "../../../src/core/errors.ts";
import { createFleetGit, mirrorDir } from "../../../src/dr/fleet-git.ts";

let root: string;
let origin: string;
let url: string;
let stateDir: string;

function gitIn(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  }).trim();
}

function commit(files: Record<string, string>, message: string): string {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(origin, name), content);
  gitIn(origin, "add", ".");
  gitIn(origin, "commit", "-q", "-m", message);
  return gitIn(origin, "rev-parse", "HEAD");
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "drkit-fleet-git-"));
  origin = join(root, "origin");
  stateDir = join(root, "state");
  execFileSync("git", ["init", "-q", "--initial-branch=main", origin]);
  url = pathToFileURL(origin).href;
});

afterEach(() => rm(root, { recursive: true, force: true }));

describe("fleet mirror", () => {
  it("resolves a branch, a tag and a short sha to full commits", async () => {
    const first = commit({ "a.yaml": "kind: ConfigMap\n" }, "first");
    gitIn(origin, "tag", "v1");
    const second = commit({ "b.yaml": "kind: Secret\n" }, "second");
    const git = createFleetGit(stateDir);
    expect(await git.resolveRef(url, "main")).toEqual({
      name: "main",
      kind: "branch",
      commit: second,
    });
    expect(await git.resolveRef(url, "v1")).toEqual({ name: "v1", kind: "tag", commit: first });
    expect(await git.resolveRef(url, first.slice(0, 10))).toEqual({
      name: first.slice(0, 10),
      kind: "commit",
      commit: first,
    });
  });

  it("fetches commits pushed after the mirror was made", async () => {
    commit({ "a.yaml": "a: 1\n" }, "first");
    const git = createFleetGit(stateDir);
    await git.resolveRef(url, "main");
    const second = commit({ "a.yaml": "a: 2\n" }, "second");
    expect((await git.resolveRef(url, "main")).commit).toBe(second);
  });

  it("fails with the fix when the ref does not exist", async () => {
    commit({ "a.yaml": "a: 1\n" }, "first");
    await expect(createFleetGit(stateDir).resolveRef(url, "release-9")).rejects.toThrow(
      new PreflightError(
        `ref "release-9" does not exist in "${url}": give a branch, a tag or a commit sha that the repository has (\`git ls-remote ${url}\` lists them)`,
      ),
    );
  });

  it("fails naming the URL and git's reason when the repository cannot be fetched", async () => {
    const missing = pathToFileURL(join(root, "nowhere")).href;
    const err = await createFleetGit(stateDir)
      .resolveRef(missing, "main")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^cannot fetch the fleet repository "${missing}": fatal: .*nowhere.*; check that the Git server is up and the URL and credentials in drkit:fleet are right$`,
      ),
    );
  });

  it.each([
    ["finds SOPS-encrypted files", { "s.yaml": "data: ENC[...]\nsops:\n  age: []\n" }, true],
    ["finds none in plain manifests", { "p.yaml": "kind: ConfigMap\nsops_like: no\n" }, false],
  ])("%s", async (_name, files, expected) => {
    const sha = commit(files, "files");
    const git = createFleetGit(stateDir);
    await git.resolveRef(url, "main");
    expect(await git.hasEncryptedFiles(url, sha, "clusters/x")).toBe(expected);
  });

  it("checks out a commit the mirror has without reaching the repository again", async () => {
    const sha = commit({ "a.yaml": "a: 1\n" }, "first");
    const git = createFleetGit(stateDir);
    await git.resolveRef(url, "main");
    renameSync(origin, join(root, "gone"));
    await git.checkout(url, sha, join(root, "out"));
    expect(readFileSync(join(root, "out", "a.yaml"), "utf8")).toBe("a: 1\n");
  });

  it("fails to check out a commit the mirror lacks when the repository is gone", async () => {
    commit({ "a.yaml": "a: 1\n" }, "first");
    const git = createFleetGit(stateDir);
    await git.resolveRef(url, "main");
    renameSync(origin, join(root, "gone"));
    await expect(git.checkout(url, "f".repeat(40), join(root, "out"))).rejects.toThrow(
      /^cannot fetch the fleet repository/,
    );
    expect(existsSync(join(mirrorDir(stateDir, url), "HEAD"))).toBe(true);
  });
});
