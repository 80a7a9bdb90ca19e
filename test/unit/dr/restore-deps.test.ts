/**
 * The restore's real dependencies load the toolchain only when a step runs a tool, and only the
 * tools that step runs: building them needs no toolchain at all.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { PreflightError } from "../../../src/core/errors.ts";
import { silentLogger } from "../../../src/core/logger.ts";
import { createRestoreDeps } from "../../../src/dr/restore-deps.ts";
import type { StackTarget } from "../../../src/dr/restore/types.ts";

const target: StackTarget = {
  stack: "aws-euw1",
  platform: "aws",
  region: "eu-west-1",
  reconciler: "flux",
  fleet: { url: "https://git.example.invalid/fleet.git", branch: "main", path: "clusters/x" },
  hasDecryptionKey: true,
  protected: false,
};

function emptyEnvironment() {
  const dir = mkdtempSync(join(tmpdir(), "drkit-restore-deps-"));
  return {
    stateDir: join(dir, "state"),
    cacheDir: join(dir, "cache"),
    rootDir: new URL("../../../", import.meta.url).pathname,
    log: silentLogger,
  };
}

describe("createRestoreDeps", () => {
  it("needs no toolchain to be built, also when asked to look it up first", async () => {
    const deps = await createRestoreDeps({ ...emptyEnvironment(), warmToolchain: true });
    expect((await deps.provisioner.describe("aws-euw1")).platform).toBe("aws");
  });

  it("asks the preflight's toolchain for kubectl, helm and sops only", async () => {
    const env = emptyEnvironment();
    const deps = await createRestoreDeps(env);
    // No tool on PATH either, whatever this machine has.
    const path = process.env.PATH;
    process.env.PATH = env.stateDir;
    const err = await deps.preflight
      .check({ target, ref: "main", commit: "0".repeat(40) })
      .catch((e: unknown) => e)
      .finally(() => (process.env.PATH = path));
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as PreflightError).failures.map((f) => f.split(":")[0])).toEqual([
      '"kubernetes"',
      '"flux-helm"',
      '"sops"',
    ]);
    expect((err as PreflightError).message).toContain('"kubectl" v1.36.3 is not installed');
    expect((err as PreflightError).message).not.toContain("kube-apiserver");
  });
});
