/**
 * Commit metadata from the fleet mirror, for the RPO.
 */
import { simpleGit } from "simple-git";

import { mirrorDir, syncMirror } from "../dr/fleet-git.ts";
import type { CommitInfo } from "./objectives.ts";

export function createCommitInfo(stateDir: string) {
  const parse = (out: string): CommitInfo[] =>
    out
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [sha, time] = line.split(" ");
        return { sha: sha!, time: time! };
      });
  return {
    async info(url: string, sha: string): Promise<CommitInfo> {
      await syncMirror(stateDir, url);
      const [info] = parse(
        await simpleGit(mirrorDir(stateDir, url)).raw(["log", "-1", "--format=%H %cI", sha]),
      );
      return info!;
    },
    async between(url: string, from: string, to: string): Promise<CommitInfo[]> {
      return parse(
        await simpleGit(mirrorDir(stateDir, url)).raw(["log", "--format=%H %cI", `${from}..${to}`]),
      );
    },
  };
}
