import { describe, expect, it } from "vitest";

import { defaultBranch, parseSymref } from "../../../../src/dr/cluster-target/default-branch.ts";
import type { Exec } from "../../../../src/core/exec.ts";

describe("the fleet's default branch", () => {
  it.each([
    ["ref: refs/heads/trunk\tHEAD\n0123abcd\tHEAD\n", "trunk"],
    ["ref: refs/heads/release/2026\tHEAD\n", "release/2026"],
    ["0123abcd\tHEAD\n", undefined],
  ])("reads %j as %s", (output, branch) => {
    expect(parseSymref(output)).toBe(branch);
  });

  it("asks the remote without a terminal prompt, and falls back to main when it cannot", async () => {
    const calls: string[][] = [];
    const answering: Exec = async (_cmd, args, options) => {
      calls.push([...args, options?.env?.GIT_TERMINAL_PROMPT ?? ""]);
      return { stdout: "ref: refs/heads/trunk\tHEAD\n", stderr: "" };
    };
    expect(await defaultBranch("https://git/fleet.git", answering)).toBe("trunk");
    expect(calls).toEqual([["ls-remote", "--symref", "--", "https://git/fleet.git", "HEAD", "0"]]);
    const failing: Exec = async () => {
      throw new Error("could not resolve host");
    };
    expect(await defaultBranch("https://git/fleet.git", failing)).toBe("main");
  });
});
