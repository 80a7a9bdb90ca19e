import { describe, expect, it } from "vitest";

import { ProcessError, type Exec, type ExecOptions } from "../../../src/core/exec.ts";
import { createSopsCli, encryptedRegex } from "../../../src/dr/fleet/sops.ts";

interface Call {
  readonly command: string;
  readonly args: readonly string[];
  readonly options: ExecOptions | undefined;
}

/** A fake `sops` that records its calls and answers with `reply`. */
function fakeSops(reply: (call: Call) => string): { exec: Exec; calls: Call[] } {
  const calls: Call[] = [];
  const exec: Exec = async (command, args, options) => {
    const call = { command, args, options };
    calls.push(call);
    return { stdout: reply(call), stderr: "" };
  };
  return { exec, calls };
}

const identity = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";

describe("createSopsCli", () => {
  it("decrypts with only the given identity in sops's environment", async () => {
    const { exec, calls } = fakeSops(() => "data:\n  password: hunter2\n");
    const sops = createSopsCli(
      "/tools/sops",
      { PATH: "/bin", SOPS_AGE_KEY_FILE: "/home/me/keys" },
      exec,
    );
    expect(await sops.decrypt("apps/secret.enc.yaml", identity)).toBe(
      "data:\n  password: hunter2\n",
    );
    expect(calls).toEqual([
      {
        command: "/tools/sops",
        args: [
          "--decrypt",
          "--input-type",
          "yaml",
          "--output-type",
          "yaml",
          "apps/secret.enc.yaml",
        ],
        options: {
          step: "sops --decrypt",
          env: { PATH: "/bin", SOPS_AGE_KEY: identity, SOPS_AGE_KEY_FILE: undefined },
        },
      },
    ]);
  });

  it("encrypts only Secret payloads, in place, for the recipient", async () => {
    const { exec, calls } = fakeSops(() => "");
    await createSopsCli("sops", {}, exec).encryptInPlace("s.yaml", "age1recipient");
    expect(calls[0]!.args).toEqual([
      "--encrypt",
      "--age",
      "age1recipient",
      "--encrypted-regex",
      encryptedRegex,
      "--mac-only-encrypted",
      "--input-type",
      "yaml",
      "--output-type",
      "yaml",
      "--in-place",
      "s.yaml",
    ]);
  });

  it("fails with sops's own reason, leaving out its warnings and the identity", async () => {
    const exec: Exec = async (command, args) => {
      throw new ProcessError({
        command,
        args,
        exitCode: 128,
        stderr: [
          'time="2025-01-01T00:00:00Z" level=warning msg="a newer version is available"',
          "Failed to get the data key required to decrypt the SOPS file.",
          `tried ${identity}`,
        ].join("\n"),
      });
    };
    const err = await createSopsCli("sops", {}, exec)
      .decrypt("s.yaml", identity)
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      "sops --decrypt failed: Failed to get the data key required to decrypt the SOPS file.; tried ***",
    );
    expect((err as Error).cause).toBeInstanceOf(ProcessError);
  });
});
