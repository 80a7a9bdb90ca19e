/**
 * A working clone of a repository on the local Git server, for tests that push fleet commits.
 */
import { mkdtempSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";

export interface WorkingRepo {
  readonly dir: string;
  readonly git: SimpleGit;
  /** Writes files (path → content), commits them and pushes to `main`; returns the commit SHA. */
  commitAndPush(files: Record<string, string>, message: string): Promise<string>;
}

export async function cloneWorkingRepo(url: string): Promise<WorkingRepo> {
  const dir = mkdtempSync(join(tmpdir(), "drkit-fleet-"));
  const git = simpleGit(dir);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.name", "drkit tests");
  await git.addConfig("user.email", "tests@drkit.invalid");
  await git.addRemote("origin", url);
  return {
    dir,
    git,
    async commitAndPush(files, message) {
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), content);
      }
      await git.add(".");
      await git.commit(message);
      await git.push("origin", "main");
      return (await git.revparse(["HEAD"])).trim();
    },
  };
}
