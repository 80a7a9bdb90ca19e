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

  it("gives sops the Vault token it was made with, never the user's own", async () => {
    const { exec, calls } = fakeSops(() => "");
    const user = { PATH: "/bin", VAULT_TOKEN: "hvs.users-own" };
    await createSopsCli("sops", user, exec, "hvs.drkit").decrypt("a.enc.yaml", undefined);
    await createSopsCli("sops", user, exec).decrypt("a.enc.yaml", identity);
    expect(calls.map((c) => c.options?.env?.VAULT_TOKEN)).toEqual(["hvs.drkit", undefined]);
    expect(calls[0]!.options?.env?.SOPS_AGE_KEY).toBeUndefined();
  });

  it("encrypts Secret payloads in place with a Vault transit key", async () => {
    const { exec, calls } = fakeSops(() => "");
    const url = "http://127.0.0.1:8200/v1/transit/keys/fleet";
    await createSopsCli("sops", {}, exec, "hvs.drkit").encryptForVaultInPlace("s.yaml", url);
    expect(calls[0]!.args).toEqual([
      "--encrypt",
      "--hc-vault-transit",
      url,
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
    expect(calls[0]!.options?.env?.VAULT_TOKEN).toBe("hvs.drkit");
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
