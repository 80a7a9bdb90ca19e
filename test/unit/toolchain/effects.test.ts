import { describe, expect, it } from "vitest";

import { systemExec } from "../../../src/toolchain/effects.ts";

describe("systemExec", () => {
  it("resolves with the output of a program that succeeded", async () => {
    expect(await systemExec("sh", ["-c", "echo built; echo note >&2"])).toEqual({
      code: 0,
      stdout: "built\n",
      stderr: "note\n",
    });
  });

  it("resolves with the exit code and output of a program that failed", async () => {
    expect(await systemExec("sh", ["-c", "echo half; echo broken >&2; exit 2"])).toEqual({
      code: 2,
      stdout: "half\n",
      stderr: "broken\n",
    });
  });

  it("resolves with ENOENT when the program does not exist", async () => {
    expect(await systemExec("drkit-no-such-go", ["version"])).toEqual({
      code: -1,
      stdout: "",
      stderr: "",
      error: "ENOENT",
    });
  });

  it("resolves with ETIMEDOUT when the program outlives its timeout", async () => {
    expect(await systemExec("sleep", ["10"], { timeoutMs: 200 })).toMatchObject({
      code: -1,
      error: "ETIMEDOUT",
    });
  });
});
