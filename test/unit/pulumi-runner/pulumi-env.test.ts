import { mkdtempSync, statSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { renderShellExports } from "../../../src/cli/commands/pulumi-env.ts";
import {
  planPulumiEnv,
  preparePulumiEnv,
  pulumiPluginsDir,
} from "../../../src/pulumi-runner/index.ts";
import type { Toolchain } from "../../../src/toolchain/index.ts";

const dirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `drkit-unit-${label}-`));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const plan = (base: NodeJS.ProcessEnv, backendUrl?: string) =>
  planPulumiEnv({
    stateDir: "/state",
    cacheDir: "/cache",
    toolBinDir: "/cache/toolchain/profiles/p/bin",
    fluxCrdsDir: "/cache/toolchain/profiles/p/flux-crds",
    pluginsDir: "/repo/bootstrap/plugins",
    base,
    ...(backendUrl === undefined ? {} : { backendUrl }),
  });

describe("planPulumiEnv", () => {
  it("puts the toolchain and drkit's plugins first on PATH, and disables downloads and update checks", () => {
    expect(plan({ PATH: "/usr/bin", HOME: "/root" }).vars).toEqual({
      PATH: "/cache/toolchain/profiles/p/bin:/repo/bootstrap/plugins:/usr/bin",
      PULUMI_HOME: "/state/pulumi-home",
      PULUMI_BACKEND_URL: "file:///state/pulumi-backend",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      DRKIT_STATE_DIR: "/state",
      DRKIT_CACHE_DIR: "/cache",
      DRKIT_FLUX_CRDS_DIR: "/cache/toolchain/profiles/p/flux-crds",
      PULUMI_CONFIG_PASSPHRASE_FILE: "/state/pulumi-passphrase",
    });
  });

  it("keeps the rest of the base environment", () => {
    expect(plan({ PATH: "/usr/bin", HOME: "/root" }).env.HOME).toBe("/root");
  });

  it.each([
    ["an argument", { PULUMI_BACKEND_URL: "s3://from-env" }, "s3://from-arg", "s3://from-arg"],
    ["PULUMI_BACKEND_URL", { PULUMI_BACKEND_URL: "s3://from-env" }, undefined, "s3://from-env"],
  ])("takes the backend from %s over the state dir's", (_source, base, arg, expected) => {
    expect(plan(base, arg).vars.PULUMI_BACKEND_URL).toBe(expected);
  });

  it.each([["PULUMI_CONFIG_PASSPHRASE"], ["PULUMI_CONFIG_PASSPHRASE_FILE"]])(
    "leaves the user's %s alone and never copies it into the printable vars",
    (name) => {
      const planned = plan({ PATH: "/usr/bin", [name]: "user-secret-value" });
      expect(planned.passphraseFile).toBeUndefined();
      expect(JSON.stringify(planned.vars)).not.toContain("user-secret-value");
      expect(planned.env[name]).toBe("user-secret-value");
    },
  );

  it("keeps a DRKIT_FLUX_CRDS_DIR the user set", () => {
    expect(plan({ DRKIT_FLUX_CRDS_DIR: "/mine" }).env.DRKIT_FLUX_CRDS_DIR).toBe("/mine");
  });

  it("finds drkit's dynamic-provider host in bootstrap/plugins", async () => {
    const script = await readFile(join(pulumiPluginsDir, "pulumi-resource-pulumi-nodejs"), "utf8");
    expect(script).toContain("@pulumi/pulumi/cmd/dynamic-provider");
    expect(statSync(join(pulumiPluginsDir, "pulumi-resource-pulumi-nodejs")).mode & 0o111).toBe(
      0o111,
    );
  });
});

describe("preparePulumiEnv", () => {
  const toolchain = { binDir: "/tc/bin", fluxCrdsDir: "/tc/flux-crds" } as Toolchain;

  it("generates a passphrase file readable only by its owner, once", async () => {
    const stateDir = tempDir("pulumi-env");
    const first = await preparePulumiEnv({ stateDir, toolchain, base: { PATH: "/usr/bin" } });
    const file = first.passphraseFile!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const passphrase = await readFile(file, "utf8");
    expect(passphrase.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await preparePulumiEnv({ stateDir, toolchain, base: { PATH: "/usr/bin" } });
    expect(await readFile(file, "utf8")).toBe(passphrase);
    expect(statSync(join(stateDir, "pulumi-backend")).isDirectory()).toBe(true);
    expect(statSync(join(stateDir, "pulumi-home")).isDirectory()).toBe(true);
  });

  it("points the Automation API at the toolchain's pulumi (<root>/bin/pulumi)", async () => {
    const env = await preparePulumiEnv({ stateDir: tempDir("root"), toolchain, base: {} });
    expect(env.pulumiPath).toBe("/tc/bin/pulumi");
    expect(env.pulumiRoot).toBe("/tc");
  });
});

describe("renderShellExports", () => {
  it("quotes values for a POSIX shell", async () => {
    const dir = tempDir("shell");
    const script = renderShellExports({ A: "it's /x y", B: "$HOME" });
    expect(script).toBe(`export A='it'\\''s /x y'\nexport B='$HOME'`);
    await writeFile(join(dir, "env.sh"), `${script}\nprintf '%s|%s' "$A" "$B"\n`);
    const { execFileSync } = await import("node:child_process");
    expect(execFileSync("sh", [join(dir, "env.sh")], { encoding: "utf8" })).toBe("it's /x y|$HOME");
  });
});
