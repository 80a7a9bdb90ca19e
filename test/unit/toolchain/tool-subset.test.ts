/**
 * `loadToolchain({ tools })`: a command asks for the tools it runs, not the whole toolchain, so a
 * cloud stack's preflight works with a pinned kubectl and sops and no local control plane built.
 */
import { rm } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { PreflightError } from "../../../src/core/errors.ts";
import {
  installToolchain,
  loadToolchain,
  type ToolchainOptions,
} from "../../../src/toolchain/index.ts";
import { selectRecipes } from "../../../src/toolchain/toolchain.ts";
import { createFakeWorld, type FakeWorld } from "./fake-toolchain.ts";

let world: FakeWorld;
beforeEach(async () => {
  world = await createFakeWorld();
});
afterEach(() => rm(world.base, { recursive: true, force: true }));

const options = (extra: Partial<ToolchainOptions>): ToolchainOptions => ({
  rootDir: world.root,
  cacheDir: world.cacheDir,
  env: { PATH: world.pathDir },
  effects: world.effects,
  releasesFile: world.releasesFile,
  platform: "linux/amd64",
  ...extra,
});

describe("loadToolchain with tools", () => {
  it("covers only the recipes that provide them", () => {
    expect(selectRecipes({ tools: ["kubectl", "sops"] }).map((r) => r.name)).toEqual([
      "kubernetes",
      "sops",
    ]);
  });

  it("takes a pinned kubectl from PATH without the control plane of its recipe", async () => {
    const kubectl = await world.addPathBinary("kubectl", "Client Version: v1.36.3");
    const sops = await world.addPathBinary("sops", "sops 3.13.3");
    const tc = await loadToolchain(options({ tools: ["kubectl", "sops"] }));
    expect(tc.tools.map((t) => [t.name, t.source, t.path])).toEqual([
      ["kubectl", "path", kubectl],
      ["sops", "path", sops],
    ]);
    expect(tc.path("kubectl")).toBe(kubectl);
    expect(() => tc.path("kube-apiserver")).toThrow(
      new PreflightError(
        '"kube-apiserver" is not part of this toolchain: run "drkit toolchain install"',
      ),
    );
  });

  it("still needs the whole recipe on PATH without tools", async () => {
    await world.addPathBinary("kubectl", "Client Version: v1.36.3");
    const err = await loadToolchain(options({ recipes: ["kubernetes"] })).catch((e: unknown) => e);
    expect((err as PreflightError).failures).toEqual([
      '"kubernetes": "kube-apiserver", "kube-controller-manager", "kube-scheduler" v1.36.3 is not installed: run "drkit toolchain install"',
    ]);
  });

  it("takes them from an installed entry", async () => {
    await installToolchain(options({ recipes: ["sops"] }));
    const tc = await loadToolchain(options({ tools: ["sops"] }));
    expect(tc.tools.map((t) => [t.name, t.source])).toEqual([["sops", "cache"]]);
  });

  it("fails naming only the missing tools, and that PATH will do", async () => {
    const err = await loadToolchain(options({ tools: ["kubectl", "sops"] })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as PreflightError).failures).toEqual([
      '"kubernetes": "kubectl" v1.36.3 is not installed: put it on PATH or run "drkit toolchain install"',
      '"sops": "sops" v3.13.3 is not installed: put it on PATH or run "drkit toolchain install"',
    ]);
    expect(world.calls.filter((c) => c.startsWith("go build"))).toEqual([]);
  });
});

describe("buildJobs", () => {
  it("builds two recipes at a time unless DRKIT_TOOLCHAIN_JOBS says otherwise", async () => {
    const { buildJobs } = await import("../../../src/toolchain/toolchain.ts");
    expect(buildJobs({})).toBe(2);
    expect(buildJobs({ DRKIT_TOOLCHAIN_JOBS: "1" })).toBe(1);
    expect(buildJobs({ DRKIT_TOOLCHAIN_JOBS: "4" })).toBe(4);
    expect(buildJobs({ DRKIT_TOOLCHAIN_JOBS: "zero" })).toBe(2);
    expect(buildJobs({ DRKIT_TOOLCHAIN_JOBS: "0" })).toBe(2);
  });
});
